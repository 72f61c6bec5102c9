//go:build windows

package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"teamlens/agent/internal/logfile"
	"teamlens/shared/config"
)

// serviceLog is the Windows service's log: the configured log file or
// agent.log in the data directory (%ProgramData%\Teamlens\agent.log),
// rotated by size, with error records also in the Application event log
// under the service's name. An event log that cannot be opened leaves the
// file alone and says so in it.
func serviceLog(cfg config.Config) (io.Writer, func(slog.Handler) slog.Handler, func(), error) {
	path := cfg.LogFile
	if path == "" {
		path = filepath.Join(cfg.WithDefaults().DataDir, "agent.log")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, nil, fmt.Errorf("log file: %w", err)
	}
	f, err := logfile.Open(path, 0, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	sink, closeEvents, err := logfile.EventLog(config.ServiceName)
	if err != nil {
		fmt.Fprintf(f, "event log %s: %v; errors are logged here only\n", config.ServiceName, err)
		return f, func(h slog.Handler) slog.Handler { return h }, func() { f.Close() }, nil
	}
	wrap := func(h slog.Handler) slog.Handler { return logfile.ErrorsTo(h, sink) }
	return f, wrap, func() { closeEvents(); f.Close() }, nil
}
