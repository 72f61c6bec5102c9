package fleetsim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"teamlens/internal/simupload"
	"teamlens/shared/wire"
)

// LoadOptions shape a load test: Agents devices enroll and upload a day
// each at once, then the first Continuous of them upload without pause for
// Duration.
type LoadOptions struct {
	Collector    string
	EnrollSecret string
	StateDir     string
	Agents       int           // default 1000
	Continuous   int           // default 200
	Duration     time.Duration // default 60s
	End          time.Time     // the day uploaded; default today
}

// LoadReport is what a load test saw, per phase.
type LoadReport struct {
	Burst, Continuous *Recorder
	BurstTime         time.Duration
	// Ledger holds, for every day sent, the revision last acknowledged and
	// the last sent, to check what the collector stored.
	Ledger *Ledger
}

// Ledger tracks what was sent and acknowledged per stored key; safe for
// concurrent use.
type Ledger struct {
	mu   sync.Mutex
	Keys map[LedgerKey]*Revisions
}

// LedgerKey is the collector's replace key of a day.
type LedgerKey struct {
	Device string
	wire.Key
}

// Revisions of one key: uploads carry the revision in Sessions.
type Revisions struct{ Acked, Sent int }

func (l *Ledger) record(device string, days []wire.Day, acked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range days {
		k := LedgerKey{device, days[i].Key()}
		r := l.Keys[k]
		if r == nil {
			r = &Revisions{Acked: -1}
			l.Keys[k] = r
		}
		if acked {
			r.Acked = max(r.Acked, days[i].Sessions)
		} else {
			r.Sent = max(r.Sent, days[i].Sessions)
		}
	}
}

// Load runs the load test.
func Load(ctx context.Context, lo LoadOptions) (*LoadReport, error) {
	if lo.Agents <= 0 {
		lo.Agents = 1000
	}
	if lo.Continuous <= 0 {
		lo.Continuous = 200
	}
	lo.Continuous = min(lo.Continuous, lo.Agents)
	if lo.Duration <= 0 {
		lo.Duration = time.Minute
	}
	if lo.End.IsZero() {
		lo.End = time.Now()
	}
	// One connection pool for all, as many simultaneous connections as agents.
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConns: lo.Agents, MaxIdleConnsPerHost: lo.Agents}}
	rep := &LoadReport{Burst: &Recorder{}, Continuous: &Recorder{}, Ledger: &Ledger{Keys: map[LedgerKey]*Revisions{}}}
	devs := make([]*simupload.Device, lo.Agents)
	start := time.Now()
	err := each(lo.Agents, func(i int) error {
		dir := filepath.Join(lo.StateDir, fmt.Sprintf("load-%04d", i))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		dev, err := enroll(ctx, client, lo, dir)
		if err != nil {
			return err
		}
		devs[i] = dev
		return rep.upload(ctx, dev, loadDays(i, lo.End, 0, 1), rep.Burst)
	})
	rep.BurstTime = time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("burst: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, lo.Duration)
	defer cancel()
	err = each(lo.Continuous, func(i int) error {
		for rev := 1; ; rev++ {
			err := rep.upload(cctx, devs[i], loadDays(i, lo.End, rev%30, rev), rep.Continuous)
			if cctx.Err() != nil {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
	if err != nil {
		return rep, fmt.Errorf("continuous: %w", err)
	}
	return rep, ctx.Err()
}

// enroll enrolls one device, retrying while the collector says it is busy.
func enroll(ctx context.Context, client *http.Client, lo LoadOptions, dir string) (*simupload.Device, error) {
	for wait := 250 * time.Millisecond; ; wait = min(4*time.Second, wait*2) {
		dev, err := simupload.Enroll(ctx, client, lo.Collector, lo.EnrollSecret, dir)
		if err == nil || ctx.Err() != nil {
			return dev, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (rep *LoadReport) upload(ctx context.Context, dev *simupload.Device, days []wire.Day, rec *Recorder) error {
	rep.Ledger.record(dev.ID(), days, false)
	err := send(ctx, dev, days, rec, func(acked []wire.Day) { rep.Ledger.record(dev.ID(), acked, true) })
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// loadDays is what agent i sends at revision rev: the day back days before
// end of its three users in two products, the revision in Sessions.
func loadDays(i int, end time.Time, back, rev int) []wire.Day {
	date := end.AddDate(0, 0, -back).Format(wire.DateLayout)
	var out []wire.Day
	for u := 0; u < 3; u++ {
		for _, p := range []string{"AutoCAD", "Revit"} {
			ms := int64(5000 + 97*i%4000)
			out = append(out, wire.Day{Date: date, User: fmt.Sprintf("load%d-%d", i, u), Product: p, Version: "2027.1",
				Minutes: 30 + (i+u)%400, Sessions: rev,
				Analytics: &wire.Analytics{StartupMS: &wire.Stat{Count: 1, Sum: ms, Min: ms, Max: ms},
					Commands: map[string]*wire.Outcomes{"LINE": {Started: 12, Completed: 11, Canceled: 1}, "MOVE": {Started: 4, Completed: 4}}}})
		}
	}
	return out
}

// each runs fn(0..n-1) concurrently and returns the first error.
func each(n int, fn func(int) error) error {
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}
