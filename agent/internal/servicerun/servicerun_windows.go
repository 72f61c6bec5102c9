//go:build windows

package servicerun

import (
	"context"
	"os"
	"time"

	"golang.org/x/sys/windows/svc"

	"teamlens/shared/config"
)

// exitIfUnsupervised ends the process when run failed by itself under the
// service control manager: kardianos waits for a stop request there and
// would otherwise leave a service that runs nothing. A non-zero exit lets the
// SCM's recovery actions restart the agent.
func exitIfUnsupervised(ctx context.Context, err error) {
	if ctx.Err() == nil {
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// interactive: on Windows nothing is guessed. Only `--service` talks to
// the service control manager; kardianos' guess (svc.IsWindowsService)
// fails under some hosts, and a service that never reports itself running
// is killed by the SCM ("Service request timeout").
func interactive() bool { return true }

// runWindowsService runs run as the Windows service config.ServiceName
// under the service control manager, which must have started us.
func runWindowsService(run func(context.Context) error, stopTimeout time.Duration) (error, bool) {
	h := &handler{run: run, stopTimeout: stopTimeout, exit: os.Exit}
	if err := svc.Run(config.ServiceName, h); err != nil {
		return err, true
	}
	return h.err, true
}

// handler is the service's side of the SCM protocol: StartPending, then
// Running once run is under way; Stop and Shutdown cancel run and wait for
// it (at most stopTimeout, reported as the wait hint). A run that ends by
// itself with an error exits the process with code 1 without reporting the
// service stopped: the SCM counts that as a failure and applies the
// recovery actions (restart), also where it knows no flag for failures
// that report themselves (Wine).
type handler struct {
	run         func(context.Context) error
	stopTimeout time.Duration
	exit        func(code int)
	err         error
}

// exitFailed is the process's exit code when run failed by itself.
const exitFailed = 1

func (h *handler) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.run(ctx) }()
	running := svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	status <- running
	for {
		select {
		case err := <-done:
			h.err = err
			if err != nil {
				h.exit(exitFailed)
				return false, exitFailed
			}
			return false, 0
		case c := <-req:
			switch c.Cmd {
			case svc.Interrogate:
				status <- running
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending, WaitHint: uint32(h.stopTimeout / time.Millisecond)}
				cancel()
				select {
				case h.err = <-done:
				case <-time.After(h.stopTimeout):
				}
				return false, 0
			}
		}
	}
}
