// Command cadsim writes simulated CAD journals into a spool directory, as a
// product plug-in would, for demos and tests.
package main

import (
	"flag"
	"fmt"
	"os"

	"teamlens/internal/cadsim"
	"teamlens/internal/cmdline"
)

func main() {
	var o cadsim.Options
	var dir string
	fs := flag.NewFlagSet("cadsim", flag.ContinueOnError)
	fs.StringVar(&dir, "spool-dir", "", "spool `directory` to write journals to")
	fs.StringVar(&o.Product, "product", "AutoCAD", "catalog product `name`")
	fs.StringVar(&o.Version, "version", "2027.1", "the product's `version` in each event")
	fs.IntVar(&o.Days, "days", 5, "`N` working days to simulate, ending yesterday")
	fs.IntVar(&o.Commands, "commands", 300, "`N` commands per day")
	cmd := &cmdline.Command{Name: "cadsim", Flags: fs, Required: []string{"spool-dir"},
		Summary: "cadsim writes simulated CAD journals into a spool directory, as a product plug-in would, for demos and tests.",
		Example: "cadsim --spool-dir /var/spool/teamlens --product AutoCAD --days 5 --commands 300"}
	_, err := cmd.Parse(os.Args[1:], os.Stdout)
	if err == nil && dir == "" {
		err = &cmdline.UsageError{Cmd: cmd.Name, Msg: "--spool-dir must not be empty"}
	}
	if err != nil {
		if cmdline.ExitCode(err) == 2 {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(cmdline.ExitCode(err))
	}
	n, err := cadsim.Run(dir, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cadsim:", err)
		os.Exit(1)
	}
	fmt.Printf("cadsim: wrote %d events of %s %s over %d days to %s\n", n, o.Product, o.Version, o.Days, dir)
}
