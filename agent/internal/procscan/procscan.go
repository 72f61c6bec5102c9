// Package procscan turns running catalog products into seat-usage sessions
// and samples their CPU and memory, for products that write no journal.
package procscan

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v3/process"

	"teamlens/agent/internal/store"
	"teamlens/shared/catalog"
	"teamlens/shared/journal"
)

// Scanner keeps what it learned between scans, so a scan reads the name
// of a process only once: with hundreds of processes, listing PIDs is
// cheap and reading each name every time is not.
type Scanner struct {
	Catalog *catalog.Catalog
	Store   *store.Store
	Log     *slog.Logger
	Now     func() time.Time

	ignored map[int32]bool
	tracked map[int32]*tracked
}

type tracked struct {
	proc     *process.Process
	product  catalog.Product
	version  string
	session  string
	user     string
	cpuTotal float64 // CPU seconds at the last sample
	sampled  time.Time
}

// versionFolder matches an install folder named for a release, such as
// "AutoCAD 2027" or "Revit_2026.1": the year ends the folder name.
var versionFolder = regexp.MustCompile(`(?:^|[ _-])(20\d\d(?:\.\d+)?)$`)

// VersionFromPath reads the release from the install path; the path
// itself is never kept.
func VersionFromPath(exe string) string {
	parts := strings.FieldsFunc(exe, func(r rune) bool { return r == '/' || r == '\\' })
	for i := len(parts) - 2; i >= 0; i-- {
		if m := versionFolder.FindStringSubmatch(parts[i]); m != nil {
			return m[1]
		}
	}
	return "unknown"
}

// Scan looks at the process table once and commits what changed.
func (s *Scanner) Scan(ctx context.Context) error {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if s.ignored == nil {
		s.ignored, s.tracked = map[int32]bool{}, map[int32]*tracked{}
	}
	pids, err := process.PidsWithContext(ctx)
	if err != nil {
		return fmt.Errorf("process list: %w", err)
	}
	at := now()
	batches := map[string]*store.Batch{}
	batch := func(user string) *store.Batch {
		if b, ok := batches[user]; ok {
			return b
		}
		b := &store.Batch{User: user, Source: "process"}
		batches[user] = b
		return b
	}
	alive := make(map[int32]bool, len(pids))
	for _, pid := range pids {
		alive[pid] = true
		if s.ignored[pid] {
			continue
		}
		t, ok := s.tracked[pid]
		if !ok {
			t = s.identify(ctx, pid)
			if t == nil {
				s.ignored[pid] = true
				continue
			}
			s.tracked[pid] = t
			if !t.product.Journal {
				created, _ := t.proc.CreateTimeWithContext(ctx)
				b := batch(t.user)
				b.Events = append(b.Events, s.event(t, journal.SessionStart, time.UnixMilli(created)))
			}
		}
		b := batch(t.user)
		if !t.product.Journal {
			b.Alive = append(b.Alive, store.Alive{Product: t.product.Name, Version: t.version, Session: t.session, At: at})
		}
		if smp, ok := t.sample(ctx, at); ok {
			b.Samples = append(b.Samples, smp)
		}
	}
	for pid := range s.ignored {
		if !alive[pid] {
			delete(s.ignored, pid)
		}
	}
	for pid, t := range s.tracked {
		if alive[pid] {
			continue
		}
		delete(s.tracked, pid)
		if !t.product.Journal {
			b := batch(t.user)
			b.Events = append(b.Events, s.event(t, journal.SessionEnd, at))
		}
	}
	for _, b := range batches {
		if _, err := s.Store.Commit(ctx, *b); err != nil {
			return fmt.Errorf("process sessions: %w", err)
		}
	}
	return nil
}

// identify returns the tracking state of a catalog product's process, or
// nil for any other process (or one gone already).
func (s *Scanner) identify(ctx context.Context, pid int32) *tracked {
	p, err := process.NewProcessWithContext(ctx, pid)
	if err != nil {
		return nil
	}
	name, err := p.NameWithContext(ctx)
	if err != nil {
		return nil
	}
	prod, ok := s.Catalog.ByProcess(name)
	if !ok {
		return nil
	}
	user, err := p.UsernameWithContext(ctx)
	if err != nil || !journal.ValidUser(user) {
		return nil
	}
	created, _ := p.CreateTimeWithContext(ctx)
	version := "unknown"
	if exe, err := p.ExeWithContext(ctx); err == nil {
		version = VersionFromPath(exe)
	}
	return &tracked{
		proc:    p,
		product: prod,
		version: version,
		session: fmt.Sprintf("proc-%d-%d", pid, created),
		user:    user,
	}
}

func (s *Scanner) event(t *tracked, typ string, at time.Time) journal.Event {
	return journal.Event{TS: at, Product: t.product.Name, Version: t.version, Session: t.session, Type: typ}
}

// sample measures CPU (percent of one core since the previous sample) and
// resident memory; the first call only sets the baseline.
func (t *tracked) sample(ctx context.Context, at time.Time) (store.Sample, bool) {
	times, err := t.proc.TimesWithContext(ctx)
	if err != nil {
		return store.Sample{}, false
	}
	total := times.User + times.System
	prev, prevAt := t.cpuTotal, t.sampled
	t.cpuTotal, t.sampled = total, at
	if prevAt.IsZero() || !at.After(prevAt) {
		return store.Sample{}, false
	}
	mem, err := t.proc.MemoryInfoWithContext(ctx)
	if err != nil {
		return store.Sample{}, false
	}
	pct := 100 * (total - prev) / at.Sub(prevAt).Seconds()
	return store.Sample{Product: t.product.Name, Version: t.version, TS: at, CPUPct: max(pct, 0), RSSBytes: int64(mem.RSS)}, true
}
