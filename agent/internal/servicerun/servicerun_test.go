//go:build !windows

package servicerun

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestRunForeground(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		run  func(ctx context.Context) error
		want error
	}{
		{"run error is returned", func(context.Context) error { return boom }, boom},
		{"clean return", func(context.Context) error { return nil }, nil},
		{"SIGTERM ends the context", func(ctx context.Context) error {
			if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
				return err
			}
			<-ctx.Done()
			return nil
		}, nil},
		{"SIGINT ends the context", func(ctx context.Context) error {
			if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
				return err
			}
			<-ctx.Done()
			return ctx.Err()
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Run(tt.run, Foreground()); !errors.Is(err, tt.want) {
				t.Fatalf("Run = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestProgram drives the adapter the way kardianos does under a service
// manager: Start, wait, Stop.
func TestProgram(t *testing.T) {
	t.Run("stop cancels run and waits for it", func(t *testing.T) {
		finished := make(chan struct{})
		p := &program{done: make(chan struct{}), stopTimeout: time.Minute, run: func(ctx context.Context) error {
			<-ctx.Done()
			close(finished)
			return nil
		}}
		if err := p.Start(nil); err != nil {
			t.Fatal(err)
		}
		if err := p.Stop(nil); err != nil {
			t.Fatal(err)
		}
		select {
		case <-finished:
		default:
			t.Fatal("Stop returned before run finished")
		}
	})
	t.Run("run ending by itself ends the wait", func(t *testing.T) {
		boom := errors.New("boom")
		p := &program{done: make(chan struct{}), stopTimeout: time.Minute, run: func(context.Context) error { return boom }}
		if err := p.Start(nil); err != nil {
			t.Fatal(err)
		}
		p.wait()
		if err := p.Stop(nil); err != nil {
			t.Fatal(err)
		}
		if err := p.result(); !errors.Is(err, boom) {
			t.Fatalf("result = %v, want boom", err)
		}
	})
	t.Run("stop gives up on a run that ignores the context", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		p := &program{done: make(chan struct{}), stopTimeout: 10 * time.Millisecond, run: func(context.Context) error {
			<-release
			return nil
		}}
		if err := p.Start(nil); err != nil {
			t.Fatal(err)
		}
		if err := p.Stop(nil); err != nil {
			t.Fatal(err)
		}
	})
}
