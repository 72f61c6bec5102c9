package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"teamlens/installer/internal/deb"
)

// splitComponent takes --component (default "agent") out of the package
// command's arguments.
func splitComponent(args []string) (component string, rest []string) {
	component = "agent"
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--component" || a == "-component":
			if i+1 < len(args) {
				component = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--component=") || strings.HasPrefix(a, "-component="):
			_, component, _ = strings.Cut(a, "=")
		default:
			rest = append(rest, a)
		}
	}
	return component, rest
}

const packageCollectorHelp = `installer package --component collector builds a .deb of the collector: the binary as
/usr/bin/teamlens-collector, its settings in /etc/teamlens/collector.conf (a conffile), a systemd unit
and a SysV init script; installing it creates the teamlens-collector user and /var/lib/teamlens-collector
and starts the service, purging it removes them.

flags:
`

// packageCollector is "installer package --format deb --component collector".
func packageCollector(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("installer package --component collector", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, packageCollectorHelp)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\nexample:\n  installer package --format deb --component collector --listen 0.0.0.0:8443 --out dist\n")
	}
	var o deb.CollectorOptions
	var format string
	fs.StringVar(&format, "format", "", "package format: deb")
	fs.StringVar(&o.CollectorBinary, "collector-binary", "", "collector binary to package (default: collector next to the installer)")
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8080", "listen address written into the packaged configuration")
	fs.StringVar(&o.OutDir, "out", ".", "directory to write the package to")
	fs.StringVar(&o.Version, "version", "", "package version (default "+deb.DefaultVersion+")")
	if err := parse(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if format != "deb" {
		fmt.Fprintf(stderr, "installer package: --format must be deb, not %q\n", format)
		return exitUsage
	}
	path, err := deb.BuildCollector(o)
	if err != nil {
		fmt.Fprintf(stderr, "installer package: %v\n", err)
		return exitError
	}
	fmt.Fprintln(stdout, path)
	return exitOK
}
