package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"teamlens/installer/internal/deb"
	"teamlens/installer/internal/install"
)

// Exit codes. Status follows the LSB init script convention.
const (
	exitOK           = 0
	exitError        = 1
	exitUsage        = 2
	exitNotRunning   = 3
	exitNotInstalled = 4
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage:
  installer install   --collector URL --enroll-secret X [--agent-binary PATH]
                      [--data-dir D] [--spool-dir S] [--analytics user-choice|disabled]
                      [--seat-usage=true|false] [--silent]
  installer status
  installer uninstall [--purge]
  installer package   --format deb --collector URL --enroll-secret X [--out DIR]
  installer package   --format deb --component collector [--listen ADDR] [--collector-binary PATH] [--out DIR]
`

// run parses the command line and maps every outcome to an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	in := &install.Installer{Log: log, Out: stdout}
	fs := flag.NewFlagSet("installer "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fail := func(err error) int {
		fmt.Fprintf(stderr, "installer %s: %v\n", args[0], err)
		return exitError
	}

	switch args[0] {
	case "install":
		var o install.Options
		var silent bool
		var secretFile string
		seat := optionalBool{}
		fs.StringVar(&o.Collector, "collector", "", "collector `URL`")
		fs.StringVar(&o.EnrollSecret, "enroll-secret", "", "enroll secret the agent presents to the collector")
		fs.StringVar(&secretFile, "enroll-secret-file", "", "read the enroll secret from `FILE` (keeps it out of the process list)")
		fs.StringVar(&o.AgentBinary, "agent-binary", "", "agent binary to install (default: agent next to the installer)")
		fs.StringVar(&o.DataDir, "data-dir", "", "agent data directory (default "+install.DefaultLayout().DataDir+")")
		fs.StringVar(&o.SpoolDir, "spool-dir", "", "journal spool directory (default "+install.DefaultLayout().SpoolDir+")")
		fs.StringVar(&o.Analytics, "analytics", "", "analytics policy: user-choice or disabled (default user-choice)")
		fs.Var(&seat, "seat-usage", "record product sessions (default true)")
		fs.BoolVar(&silent, "silent", false, "print nothing but warnings and errors")
		if err := parse(fs, args[1:]); err != nil {
			return exitUsage
		}
		if secretFile != "" {
			b, err := os.ReadFile(secretFile)
			if err != nil {
				return fail(fmt.Errorf("--enroll-secret-file: %w", err))
			}
			o.EnrollSecret = strings.TrimSpace(string(b))
		}
		o.SeatUsage = seat.v
		if err := o.Validate(); err != nil {
			fmt.Fprintf(stderr, "installer install: %v\n", err)
			return exitUsage
		}
		if self, err := os.Executable(); err == nil {
			o.InstallerBinary = self
		}
		if silent {
			in.Out = nil
		}
		res, err := in.Install(ctx, o)
		if err != nil {
			return fail(err)
		}
		if res.CollectorErr != nil {
			fmt.Fprintf(stderr, "installer install: warning: collector %s is not reachable (%v); the agent keeps retrying, see \"installer status\"\n", o.Collector, res.CollectorErr)
		}
		return exitOK

	case "uninstall":
		purge := fs.Bool("purge", false, "also remove data, spool, configuration and binaries")
		if err := parse(fs, args[1:]); err != nil {
			return exitUsage
		}
		if err := in.Uninstall(ctx, *purge); err != nil {
			return fail(err)
		}
		return exitOK

	case "status":
		if err := parse(fs, args[1:]); err != nil {
			return exitUsage
		}
		r, err := in.Status(ctx)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, r)
		switch {
		case r.OK():
			return exitOK
		case !r.Installed:
			return exitNotInstalled
		}
		return exitNotRunning

	case "package":
		switch component, rest := splitComponent(args[1:]); component {
		case "collector":
			return packageCollector(rest, stdout, stderr)
		case "agent":
			args = append(args[:1:1], rest...)
		default:
			fmt.Fprintf(stderr, "installer package: --component must be agent or collector, not %q\n", component)
			return exitUsage
		}
		var o deb.Options
		var format string
		fs.StringVar(&format, "format", "", "package format: deb")
		fs.StringVar(&o.Collector, "collector", "", "collector `URL` baked into the package")
		fs.StringVar(&o.EnrollSecret, "enroll-secret", "", "enroll secret baked into the package")
		fs.StringVar(&o.OutDir, "out", ".", "directory to write the package to")
		fs.StringVar(&o.AgentBinary, "agent-binary", "", "agent binary to package (default: agent next to the installer)")
		fs.StringVar(&o.Version, "version", "", "package version (default "+deb.DefaultVersion+")")
		if err := parse(fs, args[1:]); err != nil {
			return exitUsage
		}
		if format != "deb" {
			fmt.Fprintf(stderr, "installer package: --format must be deb (MSI and macOS pkg: see the installer's documentation), not %q\n", format)
			return exitUsage
		}
		if err := (install.Options{Collector: o.Collector, EnrollSecret: o.EnrollSecret}).Validate(); err != nil {
			fmt.Fprintf(stderr, "installer package: %v\n", err)
			return exitUsage
		}
		path, err := deb.Build(o)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, path)
		return exitOK

	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "installer: unknown command %q\n%s", args[0], usage)
	return exitUsage
}

// parse parses flags and refuses stray arguments, which are usually a
// mistyped flag.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q", fs.Arg(0))
		fmt.Fprintf(fs.Output(), "%s: %v\n", fs.Name(), err)
		return err
	}
	return nil
}

// optionalBool is a boolean flag that knows whether it was given, so an
// upgrade without --seat-usage keeps the installed policy.
type optionalBool struct{ v *bool }

func (b *optionalBool) String() string {
	if b == nil || b.v == nil {
		return ""
	}
	return strconv.FormatBool(*b.v)
}

func (b *optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	b.v = &v
	return nil
}

func (b *optionalBool) IsBoolFlag() bool { return true }
