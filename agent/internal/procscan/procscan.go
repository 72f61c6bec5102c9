// Package procscan turns running catalog products into seat-usage sessions
// and samples their CPU and memory, for products that write no journal.
package procscan

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v3/process"

	"teamlens/agent/internal/gate"
	"teamlens/agent/internal/ingest"
	"teamlens/agent/internal/rollup"
	"teamlens/shared/catalog"
	"teamlens/shared/journal"
)

// Scanner keeps what it learned between scans, so a scan reads the name
// of a process only once: with hundreds of processes, listing PIDs is
// cheap and reading each name every time is not.
type Scanner struct {
	Catalog *catalog.Catalog
	Store   ingest.Repo
	Log     *slog.Logger
	Now     func() time.Time

	pids    pidLister
	ignored map[int32]bool
	tracked map[int32]*tracked
	alive   map[int32]bool

	mu      sync.Mutex
	scanned bool
	running map[string]map[string][]time.Time // product -> user -> process start times
}

// Running returns, per OS user, the start times of product's processes
// as of the last scan; false before the first scan completed. It is safe
// to call while Scan runs.
func (s *Scanner) Running(product string) (map[string][]time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[product], s.scanned
}

// publish records the processes the scan tracks, for Running.
func (s *Scanner) publish() {
	running := map[string]map[string][]time.Time{}
	for _, t := range s.tracked {
		byUser := running[t.product.Name]
		if byUser == nil {
			byUser = map[string][]time.Time{}
			running[t.product.Name] = byUser
		}
		byUser[t.user] = append(byUser[t.user], t.created)
	}
	s.mu.Lock()
	s.running, s.scanned = running, true
	s.mu.Unlock()
}

type tracked struct {
	proc     *process.Process
	product  catalog.Product
	version  string
	session  string
	user     string
	created  time.Time
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
	pids, err := s.pids.list(ctx, func(pid int32) bool { return s.tracked[pid] != nil })
	if err != nil {
		return fmt.Errorf("process list: %w", err)
	}
	at := now()
	batches := map[string]*ingest.Batch{}
	batch := func(user string) *ingest.Batch {
		if b, ok := batches[user]; ok {
			return b
		}
		b := &ingest.Batch{User: user}
		batches[user] = b
		return b
	}
	if s.alive == nil {
		s.alive = map[int32]bool{}
	}
	alive := s.alive
	clear(alive)
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
				s.event(batch(t.user), t, journal.SessionStart, t.created)
			}
		}
		b := batch(t.user)
		if !t.product.Journal {
			b.Alive = append(b.Alive, gate.Alive{Key: rollup.SessionKey{Product: t.product.Name, Version: t.version, Session: t.session}, At: at.UnixMilli()})
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
			s.event(batch(t.user), t, journal.SessionEnd, at)
		}
	}
	s.publish()
	for _, b := range batches {
		if _, err := (ingest.Pipeline{Repo: s.Store}).Commit(ctx, *b); err != nil {
			return fmt.Errorf("process sessions: %w", err)
		}
	}
	return nil
}

// identify returns the tracking state of a catalog product's process, or
// nil for any other process (or one gone already).
func (s *Scanner) identify(ctx context.Context, pid int32) *tracked {
	if name, ok := s.pids.name(pid); ok {
		if _, ok := s.Catalog.ByProcess(name); !ok {
			return nil
		}
	}
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
	// Without its start time a process has no date and no stable session
	// name: it is not tracked rather than dated to 1970.
	created, err := p.CreateTimeWithContext(ctx)
	if err != nil || created <= 0 {
		return nil
	}
	version := "unknown"
	if exe, err := p.ExeWithContext(ctx); err == nil {
		if v, err := VersionFromExe(exe, prod.Name); err == nil {
			version = v
		} else {
			version = VersionFromPath(exe)
		}
	}
	return &tracked{
		proc:    p,
		product: prod,
		version: version,
		session: fmt.Sprintf("proc-%d-%d", pid, created),
		user:    user,
		created: time.UnixMilli(created),
	}
}

// event adds a seat-usage event to b, built by the journal's sanitizer
// like every journal line: the process scan is no second door into the
// store.
func (s *Scanner) event(b *ingest.Batch, t *tracked, typ string, at time.Time) {
	line, err := journal.Event{TS: at, Product: t.product.Name, Version: t.version, Session: t.session, Type: typ}.Line()
	if err == nil {
		var e journal.Event
		if e, err = (journal.Sanitizer{Catalog: s.Catalog}).Sanitize(bytes.TrimSuffix(line, []byte("\n"))); err == nil {
			b.Events = append(b.Events, e)
			return
		}
	}
	s.log().Warn("process session event refused", "product", t.product.Name, "err", err)
}

func (s *Scanner) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// sample measures CPU (percent of one core since the previous sample) and
// resident memory; the first call only sets the baseline.
func (t *tracked) sample(ctx context.Context, at time.Time) (rollup.Sample, bool) {
	times, err := t.proc.TimesWithContext(ctx)
	if err != nil {
		return rollup.Sample{}, false
	}
	total := times.User + times.System
	prev, prevAt := t.cpuTotal, t.sampled
	t.cpuTotal, t.sampled = total, at
	if prevAt.IsZero() || !at.After(prevAt) {
		return rollup.Sample{}, false
	}
	mem, err := t.proc.MemoryInfoWithContext(ctx)
	if err != nil {
		return rollup.Sample{}, false
	}
	pct := 100 * (total - prev) / at.Sub(prevAt).Seconds()
	return rollup.Sample{Product: t.product.Name, Version: t.version, TS: at, CPUPct: max(pct, 0), RSSBytes: int64(mem.RSS)}, true
}
