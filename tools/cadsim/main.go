// Command cadsim writes simulated CAD journals into a spool directory, as a
// product plug-in would, for demos and tests.
package main

import (
	"flag"
	"fmt"
	"os"

	"teamlens/internal/cadsim"
)

func main() {
	var o cadsim.Options
	dir := flag.String("spool-dir", "", "spool directory to write journals to (required)")
	flag.StringVar(&o.Product, "product", "AutoCAD", "catalog product")
	flag.StringVar(&o.Version, "version", "2027.1", "product version")
	flag.IntVar(&o.Days, "days", 5, "working days to simulate, ending yesterday")
	flag.IntVar(&o.Commands, "commands", 300, "commands per day")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "cadsim: --spool-dir is required")
		os.Exit(2)
	}
	n, err := cadsim.Run(*dir, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cadsim:", err)
		os.Exit(1)
	}
	fmt.Printf("cadsim: wrote %d events of %s %s over %d days to %s\n", n, o.Product, o.Version, o.Days, *dir)
}
