// Package servicerun runs the agent in the foreground or under the OS service
// manager (systemd, SysV init, launchd, the Windows service control manager)
// through github.com/kardianos/service; it is the only place in the agent
// that knows about signals and services.
package servicerun

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/kardianos/service"

	"teamlens/shared/config"
)

// Option changes how Run behaves.
type Option func(*options)

type options struct {
	stopTimeout time.Duration
	foreground  bool
	service     bool
}

// WithStopTimeout bounds how long a stop request waits for run to return
// before Run gives up on it; the default is 20 seconds, under the 30 that
// the init script and systemd allow before they kill the process.
func WithStopTimeout(d time.Duration) Option {
	return func(o *options) { o.stopTimeout = d }
}

// Foreground skips the service manager even where one started us, for
// callers that know better than the detection (tests, debugging).
func Foreground() Option {
	return func(o *options) { o.foreground = true }
}

// AsService says that the service manager started us: the service's
// registered command line says so (`agent run --service`), so nothing has
// to be guessed. On Windows Run then talks to the service control manager
// (reports itself running, obeys stop and shutdown); without it Windows
// always runs in the foreground.
func AsService() Option {
	return func(o *options) { o.service = true }
}

// Run calls run with a context that ends on SIGINT or SIGTERM, or when the
// service manager asks the service to stop, and returns run's error.
// A run that returns on its own ends Run too, so a failing agent exits with
// an error and its supervisor restarts it.
func Run(run func(ctx context.Context) error, opts ...Option) error {
	o := options{stopTimeout: 20 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if o.service && !o.foreground {
		if err, ok := runWindowsService(run, o.stopTimeout); ok {
			return err
		}
	}
	if o.foreground || (!o.service && interactive()) {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return run(ctx)
	}
	p := &program{run: run, done: make(chan struct{}), stopTimeout: o.stopTimeout}
	svc, err := service.New(p, &service.Config{
		Name:   config.ServiceName,
		Option: service.KeyValue{"RunWait": p.wait},
	})
	if err != nil {
		return err
	}
	if err := svc.Run(); err != nil {
		return err
	}
	return p.result()
}

// program adapts run to kardianos' Start/Stop interface: Start must not
// block, Stop must wait for the agent to finish its last transaction.
type program struct {
	run         func(ctx context.Context) error
	stopTimeout time.Duration

	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	err    error
}

func (p *program) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go func() {
		err := p.run(ctx)
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.done)
		exitIfUnsupervised(ctx, err)
	}()
	return nil
}

func (p *program) Stop(service.Service) error {
	p.cancel()
	select {
	case <-p.done:
	case <-time.After(p.stopTimeout):
	}
	return nil
}

// wait is kardianos' RunWait on Unix: it returns on SIGINT/SIGTERM, and also
// when run ends by itself, which the default wait would not notice.
func (p *program) wait() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case <-sig:
	case <-p.done:
	}
}

func (p *program) result() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
