// Command agent is the Teamlens workstation agent: an OS service that
// records CAD product usage into a local database and uploads daily
// summaries. See ../shared/DESIGN.md "Agent CLI".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"teamlens/agent/internal/agent"
	"teamlens/agent/internal/osvc"
	"teamlens/shared/config"
)

const usage = `usage:
  agent run     [--config F] [--data-dir D] [--spool-dir S] [--socket P] [--collector URL]
                [--enroll-secret X] [--upload-interval 1h] [--scan-interval 5s]
  agent consent --data-dir D --user LOGIN on|off|status
  agent status  --data-dir D
  agent export  --data-dir D [--user LOGIN]
  agent forget  --data-dir D --user LOGIN`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		if errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("invalid usage")

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet("agent "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "configuration file (default "+config.DefaultConfigFile()+" when it exists)")
	dataDir := fs.String("data-dir", "", "data directory")
	user := fs.String("user", "", "OS login")
	var spoolDir, socket, collector, secret *string
	var upload, scan *time.Duration
	if cmd == "run" {
		spoolDir = fs.String("spool-dir", "", "spool directory products write journals to")
		socket = fs.String("socket", "", "Unix socket of the local API")
		collector = fs.String("collector", "", "collector URL")
		secret = fs.String("enroll-secret", "", "collector enroll secret")
		upload = fs.Duration("upload-interval", 0, "upload interval (default 1h)")
		scan = fs.Duration("scan-interval", 0, "process scan interval (default 5s)")
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	cfg, err := loadConfig(*configFile)
	if err != nil {
		return err
	}
	override(&cfg.DataDir, *dataDir)
	ctx := context.Background()
	switch cmd {
	case "run":
		override(&cfg.SpoolDir, *spoolDir)
		override(&cfg.Socket, *socket)
		override(&cfg.Collector, *collector)
		override(&cfg.EnrollSecret, *secret)
		if *upload > 0 {
			cfg.UploadInterval.Duration = *upload
		}
		if *scan > 0 {
			cfg.ScanInterval.Duration = *scan
		}
		return runAgent(cfg, stderr)
	case "consent":
		if *user == "" || fs.NArg() != 1 {
			return errUsage
		}
		return agent.Consent(ctx, cfg.WithDefaults().DataDir, *user, fs.Arg(0), stdout)
	case "status":
		return agent.Status(ctx, cfg.WithDefaults().DataDir, stdout)
	case "export":
		return agent.Export(ctx, cfg.WithDefaults().DataDir, *user, stdout)
	case "forget":
		if *user == "" {
			return errUsage
		}
		return agent.Forget(ctx, cfg.WithDefaults().DataDir, *user, stdout)
	}
	return errUsage
}

func runAgent(cfg config.Config, stderr io.Writer) error {
	logOut := stderr
	if cfg.LogFile != "" {
		f, err := os.OpenFile(cfg.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("log file: %w", err)
		}
		defer f.Close()
		logOut = f
	}
	log := slog.New(slog.NewTextHandler(logOut, nil))
	stopProfile, err := startProfile()
	if err != nil {
		return err
	}
	defer stopProfile()
	return osvc.Run(func(ctx context.Context) error {
		a, err := agent.New(ctx, cfg, log)
		if err != nil {
			return err
		}
		return a.Run(ctx)
	})
}

// loadConfig reads the named file, or the installer's file when it exists.
func loadConfig(path string) (config.Config, error) {
	if path == "" {
		path = config.DefaultConfigFile()
		if _, err := os.Stat(path); err != nil {
			return config.Config{}, nil
		}
	}
	return config.Load(path)
}

func override(dst *string, flagValue string) {
	if flagValue != "" {
		*dst = flagValue
	}
}
