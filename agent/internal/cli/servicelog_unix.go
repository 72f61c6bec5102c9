//go:build !windows

package cli

import (
	"errors"
	"io"
	"log/slog"

	"teamlens/shared/config"
)

// serviceLog is for the Windows service; on Unix the service manager
// (systemd's journal, the init script's log file) keeps the output.
func serviceLog(config.Config) (io.Writer, func(slog.Handler) slog.Handler, func(), error) {
	return nil, nil, nil, errors.New("serviceLog is for Windows")
}
