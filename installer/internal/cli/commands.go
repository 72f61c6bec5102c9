package cli

// The command table of `installer`: its subcommands, their flags and help.

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"teamlens/installer/internal/deb"
	"teamlens/installer/internal/install"
	"teamlens/installer/internal/msi"
	"teamlens/internal/cmdline"
	"teamlens/shared/collectorconf"
)

func commands(stdout, stderr io.Writer) []*command {
	return []*command{installCommand(stderr), statusCommand(stdout), uninstallCommand(), packageCommand(stdout, stderr)}
}

func installCommand(stderr io.Writer) *command {
	c := newCommand("install", "Installs the agent (and the viewer, when it is next to the installer) as a service and waits until it answers; over an existing install it upgrades and keeps data, consent and the device token.",
		"installer install --collector https://teamlens.example:8443 --enroll-secret-file /root/enroll.secret --silent")
	var o install.Options
	var silent bool
	var secretFile string
	seat := optionalBool{}
	fs := c.Flags
	fs.StringVar(&o.Collector, "collector", "", "collector `URL` (http:// or https://)")
	fs.StringVar(&o.EnrollSecret, "enroll-secret", "", "enroll `secret` the agent presents to the collector")
	fs.StringVar(&secretFile, "enroll-secret-file", "", "read the enroll secret from `FILE` (keeps it out of the process list)")
	fs.StringVar(&o.AgentBinary, "agent-binary", "", "agent binary to install (default: agent next to the installer)")
	fs.StringVar(&o.ViewerBinary, "viewer-binary", "", "My Insights viewer to install with its menu entry (default: viewer next to the installer, if there)")
	fs.BoolVar(&o.NoViewer, "no-viewer", false, "do not install the My Insights viewer")
	fs.StringVar(&o.DataDir, "data-dir", "", "agent data directory (default "+install.DefaultLayout().DataDir+")")
	fs.StringVar(&o.SpoolDir, "spool-dir", "", "journal spool directory (default "+install.DefaultLayout().SpoolDir+")")
	fs.StringVar(&o.Analytics, "analytics", "", "analytics policy: user-choice or disabled (default user-choice)")
	fs.Var(&seat, "seat-usage", "record product sessions: true or false (default true)")
	fs.BoolVar(&silent, "silent", false, "print nothing but warnings and errors")
	c.run = func(ctx context.Context, in *install.Installer) int {
		if secretFile != "" {
			b, err := os.ReadFile(secretFile)
			if err != nil {
				return failed(stderr, "install", fmt.Errorf("--enroll-secret-file: %w", err))
			}
			o.EnrollSecret = strings.TrimSpace(string(b))
		}
		o.SeatUsage = seat.v
		if err := o.Validate(); err != nil {
			return failed(stderr, "install", &cmdline.UsageError{Cmd: c.Name, Msg: err.Error()})
		}
		if self, err := os.Executable(); err == nil {
			o.InstallerBinary = self
		}
		if silent {
			in.Out = nil
		}
		res, err := in.Install(ctx, o)
		if err != nil {
			return failed(stderr, "install", err)
		}
		if res.CollectorErr != nil {
			fmt.Fprintf(stderr, "installer install: warning: collector %s is not reachable (%v); the agent keeps retrying, see \"installer status\"\n", o.Collector, res.CollectorErr)
		}
		return exitOK
	}
	return c
}

func statusCommand(stdout io.Writer) *command {
	c := newCommand("status", "Says whether the agent is installed, running and answering, and whether the viewer is installed; exits 0 when all is well, 3 when installed but not running, 4 when not installed.",
		"installer status")
	c.run = func(ctx context.Context, in *install.Installer) int {
		r, err := in.Status(ctx)
		if err != nil {
			return failed(os.Stderr, "status", err)
		}
		fmt.Fprintln(stdout, r)
		switch {
		case r.OK():
			return exitOK
		case !r.Installed:
			return exitNotInstalled
		}
		return exitNotRunning
	}
	return c
}

func uninstallCommand() *command {
	c := newCommand("uninstall", "Stops and removes the agent service and the viewer's menu entry; with --purge also its data, spool, configuration and binaries.",
		"installer uninstall --purge")
	purge := c.Flags.Bool("purge", false, "also remove data, spool, configuration and binaries")
	c.run = func(ctx context.Context, in *install.Installer) int {
		if err := in.Uninstall(ctx, *purge); err != nil {
			return failed(os.Stderr, "uninstall", err)
		}
		return exitOK
	}
	return c
}

func packageCommand(stdout, stderr io.Writer) *command {
	c := newCommand("package", "Builds a .deb: of the agent (the default), with the collector URL and enroll secret baked in and the viewer with its menu entry; or, with --component collector, of the collector with its service, configuration file and data directory. --format msi builds the Windows agent's MSI (teamlens-agent-<version>-x64.msi, with wixl) from the Windows builds agent.exe, installer.exe and viewer.exe.",
		"installer package --format deb --collector https://teamlens.example:8443 --enroll-secret S --out dist\ninstaller package --format deb --component collector --listen 0.0.0.0:8443 --out dist\ninstaller package --format msi --collector https://teamlens.example:8443 --enroll-secret S --out dist")
	var o deb.Options
	var co deb.CollectorOptions
	var format, component, outDir, version, installerBinary, analytics, seatUsage string
	fs := c.Flags
	fs.StringVar(&format, "format", "", "package format: deb or msi")
	fs.StringVar(&component, "component", "agent", "what to package: agent or collector")
	fs.StringVar(&outDir, "out", ".", "`directory` to write the package to")
	fs.StringVar(&version, "version", packageVersion(), "package `version`")
	fs.StringVar(&o.Collector, "collector", "", "agent: collector `URL` baked into the package")
	fs.StringVar(&o.EnrollSecret, "enroll-secret", "", "agent: enroll `secret` baked into the package (readable by root only)")
	fs.StringVar(&o.AgentBinary, "agent-binary", "", "agent: agent binary to package (default: agent next to the installer)")
	fs.StringVar(&o.ViewerBinary, "viewer-binary", "", "agent: My Insights viewer to package with its menu entry (default: viewer next to the installer, if there)")
	fs.StringVar(&installerBinary, "installer-binary", "", "msi: the Windows installer.exe to package (default: installer.exe next to the installer)")
	fs.StringVar(&analytics, "analytics", "", "msi: baked default of ANALYTICS: user-choice or disabled (default user-choice)")
	fs.StringVar(&seatUsage, "seat-usage", "", "msi: baked default of SEAT_USAGE: true or false (default true)")
	fs.StringVar(&co.CollectorBinary, "collector-binary", "", "collector: collector binary to package (default: collector next to the installer)")
	fs.StringVar(&co.Listen, "listen", collectorconf.DefaultListen, "collector: listen `address` written into the packaged configuration")
	c.Required = []string{"format"}
	c.run = func(ctx context.Context, in *install.Installer) int {
		if format == "msi" {
			if component != "agent" {
				return failed(stderr, "package", &cmdline.UsageError{Cmd: c.Name, Msg: "--format msi packages the agent only"})
			}
			if err := (install.Options{Collector: o.Collector, EnrollSecret: o.EnrollSecret}).Validate(); err != nil {
				return failed(stderr, "package", &cmdline.UsageError{Cmd: c.Name, Msg: err.Error()})
			}
			res, err := msi.Build(msi.Options{Collector: o.Collector, EnrollSecret: o.EnrollSecret, Analytics: analytics, SeatUsage: seatUsage,
				OutDir: outDir, Version: version, AgentBinary: o.AgentBinary, ViewerBinary: o.ViewerBinary, InstallerBinary: installerBinary})
			if err != nil {
				return failed(stderr, "package", err)
			}
			if !res.Viewer {
				fmt.Fprintln(stderr, "installer package: warning: no viewer.exe next to the installer, so the MSI has no My Insights; pass --viewer-binary")
			}
			fmt.Fprintln(stdout, res.Path)
			return exitOK
		}
		if format != "deb" {
			return failed(stderr, "package", &cmdline.UsageError{Cmd: c.Name, Msg: fmt.Sprintf("--format must be deb or msi (macOS pkg: see the installer's documentation), not %q", format)})
		}
		var path string
		var err error
		switch component {
		case "collector":
			co.OutDir, co.Version = outDir, version
			path, err = deb.BuildCollector(co)
		case "agent":
			o.OutDir, o.Version = outDir, version
			if err := (install.Options{Collector: o.Collector, EnrollSecret: o.EnrollSecret}).Validate(); err != nil {
				return failed(stderr, "package", &cmdline.UsageError{Cmd: c.Name, Msg: err.Error()})
			}
			if !deb.HasViewer(o) {
				fmt.Fprintln(stderr, "installer package: warning: no viewer next to the installer, so the package has no My Insights; build it with \"make viewer\" or pass --viewer-binary")
			}
			path, err = deb.Build(o)
		default:
			return failed(stderr, "package", &cmdline.UsageError{Cmd: c.Name, Msg: fmt.Sprintf("--component must be agent or collector, not %q", component)})
		}
		if err != nil {
			return failed(stderr, "package", err)
		}
		fmt.Fprintln(stdout, path)
		return exitOK
	}
	return c
}

// packageVersion is the version stamped into the installer at build time,
// as a Debian version, or the deb package's default for a development build.
func packageVersion() string {
	v := strings.TrimPrefix(cmdline.Version(), "v")
	if v == "" || v[0] < '0' || v[0] > '9' || !strings.Contains(v, ".") {
		return deb.DefaultVersion
	}
	return strings.ReplaceAll(v, "-", "~")
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
