//go:build windows

package servicerun

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/windows/svc"
)

// execute drives handler.Execute as the SCM does, from its own goroutine.
func execute(h *handler) (req chan svc.ChangeRequest, status chan svc.Status, exit chan uint32) {
	req, status, exit = make(chan svc.ChangeRequest), make(chan svc.Status, 8), make(chan uint32, 1)
	go func() {
		_, code := h.Execute(nil, req, status)
		exit <- code
	}()
	return req, status, exit
}

func expect(t *testing.T, status chan svc.Status, want svc.State) svc.Status {
	t.Helper()
	s := <-status
	if s.State != want {
		t.Fatalf("state %d, want %d", s.State, want)
	}
	return s
}

// TestHandlerReportsRunningAndStops: the SCM hears StartPending then
// Running (accepting stop and shutdown), answers interrogation, and a stop
// cancels run and waits for it before the service reports stopped.
func TestHandlerReportsRunningAndStops(t *testing.T) {
	for _, cmd := range []svc.Cmd{svc.Stop, svc.Shutdown} {
		finished := make(chan struct{})
		h := &handler{stopTimeout: time.Minute, exit: func(int) { t.Error("exit on a stop") }, run: func(ctx context.Context) error {
			<-ctx.Done()
			close(finished)
			return nil
		}}
		req, status, exit := execute(h)
		expect(t, status, svc.StartPending)
		if s := expect(t, status, svc.Running); s.Accepts&(svc.AcceptStop|svc.AcceptShutdown) != svc.AcceptStop|svc.AcceptShutdown {
			t.Fatalf("running accepts %d, want stop and shutdown", s.Accepts)
		}
		req <- svc.ChangeRequest{Cmd: svc.Interrogate}
		expect(t, status, svc.Running)
		req <- svc.ChangeRequest{Cmd: cmd}
		if s := expect(t, status, svc.StopPending); s.WaitHint != 60000 {
			t.Errorf("stop wait hint %d ms, want 60000", s.WaitHint)
		}
		if code := <-exit; code != 0 {
			t.Errorf("cmd %d: exit code %d, want 0", cmd, code)
		}
		select {
		case <-finished:
		default:
			t.Errorf("cmd %d: Execute returned before run did", cmd)
		}
	}
}

// TestHandlerFailsWhenRunFails: a run that fails by itself exits the
// process with a non-zero code before reporting the service stopped, a
// failure the recovery actions restart; one that ends cleanly stops it.
func TestHandlerFailsWhenRunFails(t *testing.T) {
	boom := errors.New("boom")
	for _, tt := range []struct {
		err  error
		code uint32
	}{{boom, exitFailed}, {nil, 0}} {
		exited := -1
		h := &handler{stopTimeout: time.Minute, exit: func(c int) { exited = c }, run: func(context.Context) error { return tt.err }}
		_, status, exit := execute(h)
		expect(t, status, svc.StartPending)
		if code := <-exit; code != tt.code {
			t.Errorf("run returning %v: exit code %d, want %d", tt.err, code, tt.code)
		}
		if want := map[bool]int{true: exitFailed, false: -1}[tt.err != nil]; exited != want {
			t.Errorf("run returning %v: process exit %d, want %d", tt.err, exited, want)
		}
		if !errors.Is(h.err, tt.err) {
			t.Errorf("handler kept %v, want %v", h.err, tt.err)
		}
	}
}
