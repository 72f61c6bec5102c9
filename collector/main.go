// Command collector is the Teamlens server: it enrolls workstation agents,
// receives their daily usage summaries, holds the license picture and
// computes the Team Insights, served as JSON, CSV and the console at /.
// Its command table is in internal/cli.
package main

import (
	"os"

	"teamlens/collector/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
