package fleetsim

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"teamlens/internal/cmdline"
)

// Main runs fleetsim's command line and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var common struct{ collector, secret, dir, db string }
	shared := func(fs *flag.FlagSet) {
		fs.StringVar(&common.collector, "collector", "", "collector URL")
		fs.StringVar(&common.secret, "enroll-secret", "", "the collector's enroll secret")
		fs.StringVar(&common.dir, "dir", "", "directory for the license files and the devices' credentials")
		fs.StringVar(&common.db, "db", "", "the collector's database: seed imports into it, load checks it")
	}
	required := []string{"collector", "enroll-secret", "dir"}
	state := func() string { return filepath.Join(common.dir, "devices") }
	var seed SeedConfig
	var load LoadOptions
	var ingest IngestOptions
	type command struct {
		*cmdline.Command
		run func() error
	}
	flags := func(name string, add func(*flag.FlagSet)) *flag.FlagSet {
		fs := flag.NewFlagSet("fleetsim "+name, flag.ContinueOnError)
		if name != "check" {
			shared(fs)
		}
		add(fs)
		return fs
	}
	var checkCollector string
	cmds := []command{
		{&cmdline.Command{Name: "fleetsim seed", Summary: "Writes and imports an organization's license files and uploads its users' work.",
			Required: required, Example: "fleetsim seed --collector http://127.0.0.1:8080 --enroll-secret s --dir demo/fleet --db demo/collector.db --users 250",
			Flags: flags("seed", func(fs *flag.FlagSet) {
				fs.IntVar(&seed.Users, "users", 300, "users")
				fs.IntVar(&seed.Devices, "devices", 0, "workstations (default users/3)")
				fs.IntVar(&seed.Days, "days", 120, "days of history")
				fs.Uint64Var(&seed.Seed, "seed", 1, "random seed: the same seed gives the same organization")
				fs.IntVar(&seed.Upload.Concurrency, "concurrency", 8, "devices uploading at once")
			})}, func() error {
			seed.Upload = UploadOptions{Collector: common.collector, EnrollSecret: common.secret, StateDir: state(), Concurrency: seed.Upload.Concurrency}
			seed.CSVDir, seed.DB = common.dir, common.db
			if exe, err := os.Executable(); err == nil {
				seed.CollectorBin = filepath.Join(filepath.Dir(exe), "collector")
			}
			return Seed(ctx, seed, stdout)
		}},
		{&cmdline.Command{Name: "fleetsim load", Summary: "The load test: a burst of agents enrolling and uploading, then agents uploading continuously.",
			Required: required, Example: "fleetsim load --collector http://127.0.0.1:8080 --enroll-secret s --dir load --agents 1000 --continuous 200 --duration 60s",
			Flags: flags("load", func(fs *flag.FlagSet) {
				fs.IntVar(&load.Agents, "agents", 1000, "agents in the burst")
				fs.IntVar(&load.Continuous, "continuous", 200, "agents uploading continuously")
				fs.DurationVar(&load.Duration, "duration", time.Minute, "length of the continuous phase")
			})}, func() error {
			load.Collector, load.EnrollSecret, load.StateDir = common.collector, common.secret, state()
			return RunLoad(ctx, load, common.db, stdout)
		}},
		{&cmdline.Command{Name: "fleetsim ingest", Summary: "Measures the collector's ingest rate with large batches from a few devices.",
			Required: required, Example: "fleetsim ingest --collector http://127.0.0.1:8080 --enroll-secret s --dir ingest --devices 4",
			Flags: flags("ingest", func(fs *flag.FlagSet) {
				fs.IntVar(&ingest.Devices, "devices", 4, "devices uploading at once")
				fs.IntVar(&ingest.Days, "days", 20_000, "days per device")
				fs.IntVar(&ingest.BatchDays, "batch", 5000, "days per request")
			})}, func() error {
			ingest.Collector, ingest.EnrollSecret, ingest.StateDir = common.collector, common.secret, state()
			return RunIngest(ctx, ingest, stdout)
		}},
		{&cmdline.Command{Name: "fleetsim check", Summary: "Checks that every insight kind appears for some team.", Args: "TEAM=ADMIN-TOKEN...", NArgs: -1,
			Required: []string{"collector"}, Example: "fleetsim check --collector http://127.0.0.1:8080 acme=TOKEN brick=TOKEN",
			Flags: flags("check", func(fs *flag.FlagSet) {
				fs.StringVar(&checkCollector, "collector", "", "collector URL")
			})}, nil},
	}
	prog := &cmdline.Program{Name: "fleetsim", Summary: "fleetsim simulates an organization's fleet of workstations against a collector."}
	for _, c := range cmds {
		prog.Commands = append(prog.Commands, c.Command)
	}
	fail := func(err error) int {
		if code := cmdline.ExitCode(err); code != 0 {
			fmt.Fprintln(stderr, err)
			return code
		}
		return 0
	}
	chosen, rest, err := prog.Select(args, stdout)
	if err != nil {
		return fail(err)
	}
	pos, err := chosen.Parse(rest, stdout)
	if err != nil {
		return fail(err)
	}
	for _, c := range cmds {
		if c.Command != chosen {
			continue
		}
		if c.run != nil {
			return fail(c.run())
		}
	}
	// check
	tokens := map[string]string{}
	for _, a := range pos {
		team, token, ok := strings.Cut(a, "=")
		if !ok {
			return fail(&cmdline.UsageError{Cmd: "fleetsim check", Msg: fmt.Sprintf("%q is not TEAM=ADMIN-TOKEN", a)})
		}
		tokens[team] = token
	}
	return fail(Check(ctx, checkCollector, tokens, stdout))
}
