// Command agent is the Teamlens workstation agent: an OS service that
// records CAD product usage into a local database and uploads daily
// summaries. `agent --help` lists its commands; the command table is in
// internal/cli.
package main

import (
	"os"

	"teamlens/agent/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
