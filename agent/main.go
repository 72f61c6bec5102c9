// Command agent is the Teamlens workstation agent: an OS service that
// records CAD product usage into a local database and uploads daily
// summaries. `agent --help` lists its commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"teamlens/agent/internal/agent"
	"teamlens/agent/internal/servicerun"
	"teamlens/internal/cmdline"
	"teamlens/shared/config"
	"teamlens/shared/localclient"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	var ue *cmdline.UsageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, err)
	case err != nil && !errors.Is(err, cmdline.ErrHelp):
		fmt.Fprintln(os.Stderr, "agent:", err)
	}
	os.Exit(cmdline.ExitCode(err))
}

// flags are every command's flags; each command defines the ones it takes.
type flags struct {
	config, dataDir, socket, user, date string
	withdraw, service                   bool
	spoolDir, collector, secret         string
	upload, scan                        time.Duration
	revitJournals                       dirList
}

// dirList is a repeatable directory flag.
type dirList []string

func (d *dirList) String() string { return strings.Join(*d, ",") }

func (d *dirList) Set(v string) error {
	if v == "" {
		return errors.New("empty directory")
	}
	*d = append(*d, v)
	return nil
}

func run(args []string, stdout, stderr io.Writer) error {
	var f flags
	prog := program(&f)
	helpOut := stdout
	if len(args) == 0 {
		helpOut = stderr
	}
	cmd, rest, err := prog.Select(args, helpOut)
	if err != nil {
		return err
	}
	pos, err := cmd.Parse(rest, stdout)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(f.config)
	if err != nil {
		return err
	}
	override(&cfg.DataDir, f.dataDir)
	override(&cfg.Socket, f.socket)
	ctx := context.Background()
	name := cmd.Name[len("agent "):]
	if name == "run" {
		override(&cfg.SpoolDir, f.spoolDir)
		override(&cfg.Collector, f.collector)
		override(&cfg.EnrollSecret, f.secret)
		if f.upload > 0 {
			cfg.UploadInterval.Duration = f.upload
		}
		if f.scan > 0 {
			cfg.ScanInterval.Duration = f.scan
		}
		if len(f.revitJournals) > 0 {
			cfg.RevitJournals = f.revitJournals
		}
		return runAgent(cfg, f.service, stderr)
	}
	dataDir := cfg.WithDefaults().DataDir
	if viaSocket() {
		r := &agent.Remote{Socket: userSocket(cfg, f.dataDir)}
		switch name {
		case "consent":
			return r.Consent(ctx, f.user, pos[0], f.withdraw, stdout)
		case "status":
			return r.Status(ctx, stdout)
		case "export":
			return r.Export(ctx, f.user, stdout)
		case "forget":
			return r.Forget(ctx, f.user, stdout)
		}
		return errors.New("requeue changes the agent's upload queue: run it as root")
	}
	switch name {
	case "consent":
		return agent.Consent(ctx, dataDir, f.user, pos[0], f.withdraw, stdout)
	case "status":
		return agent.Status(ctx, dataDir, stdout)
	case "export":
		return agent.Export(ctx, dataDir, f.user, stdout)
	case "forget":
		return agent.Forget(ctx, dataDir, f.user, stdout)
	}
	return agent.Requeue(ctx, dataDir, f.date, stdout)
}

// viaSocket reports whether the data commands must go through the running
// agent: a user other than root (on Windows, a process without an elevated
// administrator's token) cannot open the service's database, and a
// database of their own would be one the service never reads.
func viaSocket() bool {
	return !privileged()
}

// userSocket is the socket a user's command goes through: --socket, the
// configuration's, the agent's own one in --data-dir, or else the default
// the viewer uses.
func userSocket(cfg config.Config, dataDir string) string {
	switch {
	case cfg.Socket != "":
		return cfg.Socket
	case dataDir != "":
		return config.DefaultSocket(dataDir)
	}
	return localclient.DefaultSocket()
}

func program(f *flags) *cmdline.Program {
	common := func(name string) *flag.FlagSet {
		fs := flag.NewFlagSet("agent "+name, flag.ContinueOnError)
		fs.StringVar(&f.config, "config", "", "configuration `file` (default "+config.DefaultConfigFile()+" when it exists)")
		fs.StringVar(&f.dataDir, "data-dir", "", "data `directory` (default "+config.DefaultDataDir()+")")
		socketHelp := "the running agent's local API `socket`, which a user other than root goes through (default " + localclient.DefaultSocket() + ")"
		if name == "run" {
			socketHelp = "`socket` of the local API, for the viewer and other users' commands (default " + config.DefaultSocket(config.DefaultDataDir()) + ")"
		}
		fs.StringVar(&f.socket, "socket", "", socketHelp)
		return fs
	}
	run := common("run")
	run.StringVar(&f.spoolDir, "spool-dir", "", "spool `directory` products write journals to")
	run.StringVar(&f.collector, "collector", "", "collector `URL`")
	run.StringVar(&f.secret, "enroll-secret", "", "collector enroll `secret`")
	run.DurationVar(&f.upload, "upload-interval", 0, "upload interval (default 1h)")
	run.DurationVar(&f.scan, "scan-interval", 0, "process scan interval (default 5s)")
	run.Var(&f.revitJournals, "revit-journals", "Revit journal `directory` to read journal.*.txt from (repeatable; default on Windows: every user's Revit journal folders)")
	run.BoolVar(&f.service, "service", false, "run under the OS service manager (the command line the installer registers; on Windows: report to the service control manager, log to agent.log in the data dir and errors also to the event log)")
	consent := common("consent")
	consent.StringVar(&f.user, "user", "", "OS `login` (a user other than root: their own)")
	consent.BoolVar(&f.withdraw, "withdraw", false, "with off: also withdraw what was shared; days already uploaded are sent again without analytics, so the collector drops them")
	export := common("export")
	export.StringVar(&f.user, "user", "", "OS `login`; every user when empty (a user other than root: their own)")
	forget := common("forget")
	forget.StringVar(&f.user, "user", "", "OS `login` (a user other than root: their own)")
	requeue := common("requeue")
	requeue.StringVar(&f.date, "date", "", "release only the days of this `YYYY-MM-DD`; every quarantined day when empty")
	return &cmdline.Program{
		Name:    "agent",
		Summary: "agent records CAD product usage on this workstation and uploads daily summaries to a collector.",
		Commands: []*cmdline.Command{
			{Name: "agent run", Summary: "Run the agent (the service's entry point) in the foreground until SIGINT/SIGTERM; flags override the config file.",
				Flags: run, Example: "agent run --collector https://teamlens.example.com --enroll-secret S3CRET"},
			{Name: "agent consent", Summary: "Print or change a user's analytics consent: on, off (stop sharing from now on) or status.",
				Args: "on|off|status", NArgs: 1, Required: []string{"user"}, Flags: consent,
				Example: "agent consent --user jdoe on\nagent consent --user jdoe off --withdraw"},
			{Name: "agent status", Summary: "Print the agent's status as JSON: consent, counts, rejects by reason, upload queue with quarantined days, last upload.",
				Flags: common("status"), Example: "agent status --data-dir /var/lib/teamlens"},
			{Name: "agent export", Summary: "Print what the agent stores, as JSON {\"events\":[...],\"days\":[...]}.",
				Flags: export, Example: "agent export --user jdoe > jdoe.json"},
			{Name: "agent forget", Summary: "Delete everything the agent stores about a user, leaving no trace in the database files.",
				Required: []string{"user"}, Flags: forget, Example: "agent forget --user jdoe"},
			{Name: "agent requeue", Summary: "Release the days the collector refused (listed under queue.quarantined in status) for the next upload; root only.",
				Flags: requeue, Example: "agent requeue --date 2026-11-20"},
		},
	}
}

func runAgent(cfg config.Config, asService bool, stderr io.Writer) error {
	logOut := stderr
	wrap := func(h slog.Handler) slog.Handler { return h }
	switch {
	case asService && runtime.GOOS == "windows":
		out, w, closeLog, err := serviceLog(cfg)
		if err != nil {
			return err
		}
		defer closeLog()
		logOut, wrap = out, w
	case cfg.LogFile != "":
		f, err := os.OpenFile(cfg.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("log file: %w", err)
		}
		defer f.Close()
		logOut = f
	}
	log := slog.New(wrap(slog.NewTextHandler(logOut, nil)))
	stopProfile, err := startProfile()
	if err != nil {
		return err
	}
	defer stopProfile()
	var opts []servicerun.Option
	if asService {
		opts = append(opts, servicerun.AsService())
	}
	return servicerun.Run(func(ctx context.Context) error {
		a, err := agent.New(ctx, cfg, log)
		if err == nil {
			err = a.Run(ctx)
		}
		if err != nil && asService {
			// No terminal hears a service: the log (and on Windows the
			// event log) says why it stopped.
			log.Error("agent stopped", "err", err)
		}
		return err
	}, opts...)
}

// loadConfig reads the named file, or the installer's file when it exists.
// A user other than root may not read the installer's file (it holds the
// enroll secret); their commands go through the socket and do without.
func loadConfig(path string) (config.Config, error) {
	if path == "" {
		path = config.DefaultConfigFile()
		if _, err := os.Stat(path); err != nil {
			return config.Config{}, nil
		}
		if c, err := config.Load(path); err == nil || !viaSocket() {
			return c, err
		}
		return config.Config{}, nil
	}
	return config.Load(path)
}

func override(dst *string, flagValue string) {
	if flagValue != "" {
		*dst = flagValue
	}
}
