// Command installer deploys the Teamlens agent (and the My Insights viewer)
// as a service on a workstation, reports its state, removes it, and builds
// .deb packages of the agent or the collector for software distribution.
// Its command table is in internal/cli.
package main

import (
	"os"

	"teamlens/installer/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
