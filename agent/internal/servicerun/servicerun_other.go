//go:build !windows

package servicerun

import (
	"context"
	"time"

	"github.com/kardianos/service"
)

// exitIfUnsupervised has nothing to do on Unix: RunWait sees run end.
func exitIfUnsupervised(context.Context, error) {}

// runWindowsService is only for Windows.
func runWindowsService(func(context.Context) error, time.Duration) (error, bool) { return nil, false }

// interactive is kardianos' guess, kept on Unix for a service manager
// whose command line does not say --service.
func interactive() bool { return service.Interactive() }
