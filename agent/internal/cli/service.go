package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"

	"teamlens/agent/internal/agent"
	"teamlens/agent/internal/servicerun"
)

// runAgent is `agent run`: the flags over the configuration, the log, then
// the agent's lifecycle under the service manager or in the foreground.
func runAgent(_ context.Context, e env) error {
	cfg, f := e.cfg, e.f
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
	asService := f.service
	logOut := e.stderr
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
