package cli

// The command table of `agent`: its subcommands, their flags and help, and
// what each runs.

import (
	"context"
	"errors"
	"flag"
	"strings"
	"time"

	"teamlens/internal/cmdline"
	"teamlens/shared/config"
	"teamlens/shared/localclient"
)

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

// command is one subcommand: its help and flags, and what it runs.
type command struct {
	*cmdline.Command
	run func(ctx context.Context, e env) error
}

func program(cmds []*command) *cmdline.Program {
	p := &cmdline.Program{
		Name:    "agent",
		Summary: "agent records CAD product usage on this workstation and uploads daily summaries to a collector.",
	}
	for _, c := range cmds {
		p.Commands = append(p.Commands, c.Command)
	}
	return p
}

func commands(f *flags) []*command {
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
	return []*command{
		{&cmdline.Command{Name: "agent run", Summary: "Run the agent (the service's entry point) in the foreground until SIGINT/SIGTERM; flags override the config file.",
			Flags: run, Example: "agent run --collector https://teamlens.example.com --enroll-secret S3CRET"},
			runAgent},
		{&cmdline.Command{Name: "agent consent", Summary: "Print or change a user's analytics consent: on, off (stop sharing from now on) or status.",
			Args: "on|off|status", NArgs: 1, Required: []string{"user"}, Flags: consent,
			Example: "agent consent --user jdoe on\nagent consent --user jdoe off --withdraw"},
			func(ctx context.Context, e env) error {
				return e.data().consent(ctx, e.f.user, e.args[0], e.f.withdraw, e.stdout)
			}},
		{&cmdline.Command{Name: "agent status", Summary: "Print the agent's status as JSON: consent, counts, rejects by reason, upload queue with quarantined days, last upload.",
			Flags: common("status"), Example: "agent status --data-dir /var/lib/teamlens"},
			func(ctx context.Context, e env) error { return e.data().status(ctx, e.stdout) }},
		{&cmdline.Command{Name: "agent export", Summary: "Print what the agent stores, as JSON {\"events\":[...],\"days\":[...]}.",
			Flags: export, Example: "agent export --user jdoe > jdoe.json"},
			func(ctx context.Context, e env) error { return e.data().export(ctx, e.f.user, e.stdout) }},
		{&cmdline.Command{Name: "agent forget", Summary: "Delete everything the agent stores about a user, leaving no trace in the database files.",
			Required: []string{"user"}, Flags: forget, Example: "agent forget --user jdoe"},
			func(ctx context.Context, e env) error { return e.data().forget(ctx, e.f.user, e.stdout) }},
		{&cmdline.Command{Name: "agent requeue", Summary: "Release the days the collector refused (listed under queue.quarantined in status) for the next upload; root only.",
			Flags: requeue, Example: "agent requeue --date 2026-11-20"},
			func(ctx context.Context, e env) error { return e.data().requeue(ctx, e.f.date, e.stdout) }},
	}
}
