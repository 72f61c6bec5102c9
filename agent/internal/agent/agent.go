// Package agent is the workstation agent's lifecycle: it opens the store,
// reads the spool, scans processes, prunes, uploads and serves the viewer
// until its context ends.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"teamlens/agent/internal/dirlock"
	"teamlens/agent/internal/localapi"
	"teamlens/agent/internal/lograte"
	"teamlens/agent/internal/procscan"
	"teamlens/agent/internal/revitjournal"
	"teamlens/agent/internal/spool"
	"teamlens/agent/internal/store"
	"teamlens/agent/internal/trim"
	"teamlens/agent/internal/upload"
	"teamlens/internal/fsutil"
	"teamlens/shared/catalog"
	"teamlens/shared/config"
	"teamlens/shared/journal"
	"teamlens/shared/wire"
)

// Agent is one running agent.
type Agent struct {
	cfg   config.Config
	log   *slog.Logger
	store *store.Store
	lock  *dirlock.Lock
}

// New opens the agent's store with cfg (defaults filled in).
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*Agent, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// An entry that fails again and again (a flood of bad lines or
	// unreadable files) must not fill the disk with the same line.
	log = slog.New(lograte.New(log.Handler(), lograte.Options{}))
	lock, err := dirlock.Acquire(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DataDir, store.Options{})
	if err != nil {
		lock.Release()
		return nil, err
	}
	if err := st.SetPolicy(ctx, cfg.Policy()); err != nil {
		st.Close()
		lock.Release()
		return nil, fmt.Errorf("policy: %w", err)
	}
	return &Agent{cfg: cfg, log: log, store: st, lock: lock}, nil
}

// Run works until ctx ends, then closes the store and releases the data
// directory.
func (a *Agent) Run(ctx context.Context) error {
	defer a.lock.Release()
	defer a.store.Close()
	if err := makeSpool(a.cfg.SpoolDir); err != nil {
		return fmt.Errorf("spool directory: %w", err)
	}
	cat := a.cfg.Catalog()
	if len(a.cfg.RevitJournals) > 0 {
		// Revit's sessions come from its journals; its processes are
		// sampled and tell when a journal's Revit is gone, so a session
		// seen both ways counts once.
		if revit, ok := cat.Lookup(revitjournal.Product); ok {
			revit.Journal = true
			cat = cat.With([]catalog.Product{revit})
		}
	}
	// The folder count, not the folders: they name users.
	a.log.Info("agent started", "data_dir", a.cfg.DataDir, "spool_dir", a.cfg.SpoolDir,
		"socket", a.cfg.Socket, "analytics", a.cfg.Analytics, "seat_usage", a.cfg.SeatUsageOn(),
		"revit_journal_folders", len(a.cfg.RevitJournals))
	a.warnUnreachable()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	start := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
				cancel()
			}
		}()
	}
	reader := &spool.Reader{
		Dir:        a.cfg.SpoolDir,
		Store:      a.store,
		Sanitizer:  sanitizer(cat),
		Log:        a.log,
		IdleRemove: a.cfg.SpoolIdle.Duration,
	}
	start("spool", reader.Run)
	var scanner *procscan.Scanner
	if a.cfg.ProcessScanOn() {
		scanner = &procscan.Scanner{Catalog: cat, Store: a.store, Log: a.log}
		start("process scan", func(ctx context.Context) error {
			return every(ctx, a.cfg.ScanInterval.Duration, func() {
				if err := scanner.Scan(ctx); err != nil && ctx.Err() == nil {
					a.log.Warn("process scan", "err", err)
				}
			})
		})
	}
	if len(a.cfg.RevitJournals) > 0 {
		revit := &revitjournal.Reader{
			Dirs:      a.cfg.RevitJournals,
			Store:     a.store,
			Sanitizer: sanitizer(cat),
			Log:       a.log,
			Interval:  a.cfg.ScanInterval.Duration,
			IdleEnd:   a.cfg.SpoolIdle.Duration,
		}
		if scanner != nil {
			revit.Running = func() (map[string][]time.Time, bool) { return scanner.Running(revitjournal.Product) }
		}
		start("revit journals", revit.Run)
	}
	start("retention", func(ctx context.Context) error {
		return every(ctx, time.Hour, a.prune)
	})
	start("memory trim", a.trimMemory)
	if a.cfg.Collector != "" {
		var insights []string
		for _, p := range cat.Products() {
			if p.Insights {
				insights = append(insights, p.Name)
			}
		}
		up := &upload.Uploader{
			Collector:    a.cfg.Collector,
			EnrollSecret: a.cfg.EnrollSecret,
			DataDir:      a.cfg.DataDir,
			Store:        a.store,
			Interval:     a.cfg.UploadInterval.Duration,
			Log:          a.log,
			Products:     insights,
		}
		start("upload", up.Run)
	}
	api := localapi.New(localapi.Config{Store: a.store, Catalog: cat, Log: a.log})
	start("local API", func(ctx context.Context) error {
		// Without its socket the agent still records usage: the viewer is
		// what waits, not the data.
		if err := api.Serve(ctx, a.cfg.Socket); err != nil {
			a.log.Error("local API unavailable; the viewer cannot connect", "socket", a.cfg.Socket, "err", err)
		}
		return nil
	})

	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	a.log.Info("agent stopped")
	return errors.Join(all...)
}

// The dates an event may carry, from the agent's clock: no older than
// the collector accepts (two years, less a day for a collector in another
// time zone) and at most a day ahead (the collector takes two). Each line's
// work stays bounded all the same: a session reaches at most eight days
// (rollup.MaxSessionSpan).
const (
	maxAge   = (wire.AcceptYearsBack*365 - 2) * 24 * time.Hour
	maxAhead = (wire.AcceptDaysAhead - 1) * 24 * time.Hour
)

func sanitizer(cat *catalog.Catalog) journal.Sanitizer {
	return journal.Sanitizer{Catalog: cat, Now: time.Now, MaxAge: maxAge, MaxAhead: maxAhead}
}

// makeSpool creates the spool directory writable by every user and
// sticky, so one user cannot remove or replace another's journal. An
// existing directory keeps the mode its admin gave it; new parents are
// 0755 whatever the umask.
func makeSpool(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := fsutil.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	return fsutil.MkdirAll(dir, 0o777|os.ModeSticky)
}

// warnUnreachable says, once at start, when a service's users cannot reach
// the spool or the socket because a directory above them is closed to
// them: products' journals and the viewer would fail with no word here.
func (a *Agent) warnUnreachable() {
	if os.Geteuid() != 0 {
		return // a single-user agent serves its own user only
	}
	for what, path := range map[string]string{"spool": filepath.Join(a.cfg.SpoolDir, "x"), "socket": a.cfg.Socket} {
		if dir := fsutil.Unreachable(path); dir != "" {
			a.log.Error("users cannot reach the "+what+": a directory above it is closed to them (chmod o+x it)",
				what, path, "dir", dir)
		}
	}
}

func (a *Agent) prune() {
	n, err := a.store.Prune(context.Background(), time.Duration(a.cfg.RetentionDays)*24*time.Hour, int64(a.cfg.MaxDBMB)<<20)
	if err != nil {
		a.log.Warn("retention", "err", err)
		return
	}
	if n > 0 {
		a.log.Info("retention: raw events deleted", "count", n)
	}
}

// trimMemory gives start-up's pages back once the agent has settled (its
// first scans, reads and upload are done), then every ten minutes, so what
// an idle agent holds is what its scans and requests use.
func (a *Agent) trimMemory(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(time.Minute):
	}
	first := true
	return every(ctx, 10*time.Minute, func() {
		n, err := trim.Memory()
		if first {
			if err != nil {
				a.log.Warn("memory trim unavailable", "err", err)
			} else {
				a.log.Debug("start-up memory returned to the system", "bytes", n)
			}
		}
		first = false
	})
}

// every calls fn now and then every d until ctx ends.
func every(ctx context.Context, d time.Duration, fn func()) error {
	fn()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			fn()
		}
	}
}
