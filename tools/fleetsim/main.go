// Command fleetsim simulates an organization's fleet against a collector:
// `seed` writes and imports its license files and uploads 120 days of its
// users' work, `load` is the load test, `ingest` measures the ingest rate.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"teamlens/internal/fleetsim"
)

const usage = `usage:
  fleetsim seed   --collector URL --enroll-secret X --dir D [--db DB] [--users 300] [--devices N] [--days 120] [--seed 1]
  fleetsim load   --collector URL --enroll-secret X --dir D [--db DB] [--agents 1000] [--continuous 200] [--duration 60s]
  fleetsim ingest --collector URL --enroll-secret X --dir D [--devices 4] [--days 20000] [--batch 5000]
  fleetsim check  --collector URL TEAM=ADMIN-TOKEN...   # every insight kind appears for some team
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if os.Args[1] == "-h" || os.Args[1] == "--help" {
		fmt.Print(usage)
		return
	}
	cmd := os.Args[1]
	if cmd == "check" {
		os.Exit(check(os.Args[2:]))
	}
	fs := flag.NewFlagSet("fleetsim "+cmd, flag.ExitOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage); fs.PrintDefaults() }
	collector := fs.String("collector", "", "collector URL (required)")
	secret := fs.String("enroll-secret", "", "the collector's enroll secret (required)")
	dir := fs.String("dir", "", "directory for the license files and the devices' credentials (required)")
	db := fs.String("db", "", "the collector's database: seed imports into it, load checks it")
	var seed fleetsim.SeedConfig
	var load fleetsim.LoadOptions
	var ingest fleetsim.IngestOptions
	switch cmd {
	case "seed":
		fs.IntVar(&seed.Users, "users", 300, "users")
		fs.IntVar(&seed.Devices, "devices", 0, "workstations (default users/3)")
		fs.IntVar(&seed.Days, "days", 120, "days of history")
		fs.Uint64Var(&seed.Seed, "seed", 1, "random seed: the same seed gives the same organization")
		fs.IntVar(&seed.Upload.Concurrency, "concurrency", 8, "devices uploading at once")
	case "load":
		fs.IntVar(&load.Agents, "agents", 1000, "agents in the burst")
		fs.IntVar(&load.Continuous, "continuous", 200, "agents uploading continuously")
		fs.DurationVar(&load.Duration, "duration", time.Minute, "length of the continuous phase")
	case "ingest":
		fs.IntVar(&ingest.Devices, "devices", 4, "devices uploading at once")
		fs.IntVar(&ingest.Days, "days", 20_000, "days per device")
		fs.IntVar(&ingest.BatchDays, "batch", 5000, "days per request")
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	fs.Parse(os.Args[2:])
	if *collector == "" || *secret == "" || *dir == "" {
		fmt.Fprintln(os.Stderr, "fleetsim: --collector, --enroll-secret and --dir are required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "seed":
		seed.Upload = fleetsim.UploadOptions{Collector: *collector, EnrollSecret: *secret, StateDir: filepath.Join(*dir, "devices"), Concurrency: seed.Upload.Concurrency}
		seed.CSVDir, seed.DB = *dir, *db
		if exe, e := os.Executable(); e == nil {
			seed.CollectorBin = filepath.Join(filepath.Dir(exe), "collector")
		}
		err = fleetsim.Seed(ctx, seed, os.Stdout)
	case "load":
		load.Collector, load.EnrollSecret, load.StateDir = *collector, *secret, filepath.Join(*dir, "devices")
		err = fleetsim.RunLoad(ctx, load, *db, os.Stdout)
	case "ingest":
		ingest.Collector, ingest.EnrollSecret, ingest.StateDir = *collector, *secret, filepath.Join(*dir, "devices")
		err = fleetsim.RunIngest(ctx, ingest, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleetsim:", err)
		os.Exit(1)
	}
}

func check(args []string) int {
	fs := flag.NewFlagSet("fleetsim check", flag.ExitOnError)
	collector := fs.String("collector", "", "collector URL (required)")
	fs.Parse(args)
	tokens := map[string]string{}
	for _, a := range fs.Args() {
		team, token, ok := strings.Cut(a, "=")
		if !ok || *collector == "" {
			fmt.Fprint(os.Stderr, usage)
			return 2
		}
		tokens[team] = token
	}
	if err := fleetsim.Check(context.Background(), *collector, tokens, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fleetsim:", err)
		return 1
	}
	return 0
}
