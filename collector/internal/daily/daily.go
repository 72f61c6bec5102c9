// Package daily runs the insight job inside `collector serve`: once a day,
// after a configured hour, it computes the snapshots of the day before, and
// after downtime it catches up the days it missed.
package daily

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/shared/catalog"
)

// Job state: the last computed as_of, and when and at which usage
// generation its snapshots were computed.
const (
	stateKey      = "insights.last_as_of"
	computedAtKey = "insights.computed_at"
	generationKey = "insights.generation"
)

// Job is the daily insight job; the zero values of the optional fields are
// production defaults.
type Job struct {
	Store   *store.Store
	Catalog *catalog.Catalog // default catalog.Builtin()
	// Hour (0-23, local time of Now) after which the day before is computed:
	// by then every workstation has had time to upload it.
	Hour       int
	Logger     *slog.Logger     // default discards
	Now        func() time.Time // default time.Now
	Interval   time.Duration    // how often to look for due work; default 1 minute
	MaxCatchUp int              // most missed days computed after downtime; default 31
	// Refresh is the least time between two computations of the latest
	// day's snapshots when uploads changed its data since; default 1 hour.
	Refresh time.Duration
	// Observe, if set, receives how long each day's computation took.
	Observe func(time.Duration)
}

// Run checks for due work at once and then every Interval until ctx ends.
// A failed run is logged and retried at the next check.
func (j *Job) Run(ctx context.Context) {
	interval := j.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := j.Tick(ctx); err != nil && ctx.Err() == nil {
			j.logger().Error("insight job failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (j *Job) logger() *slog.Logger {
	if j.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return j.Logger
}

// Due returns the latest as_of that should have been computed at now.
func Due(now time.Time, hour int) string {
	shifted := now.Add(-time.Duration(hour) * time.Hour)
	y, m, d := shifted.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1).Format(license.DateLayout)
}

// Tick computes every due day not computed yet and returns them. On
// PostgreSQL it holds an advisory lock, so of several replicas one computes
// a day and the others find it done.
func (j *Job) Tick(ctx context.Context) ([]string, error) {
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	cat := j.Catalog
	if cat == nil {
		cat = catalog.Builtin()
	}
	maxCatchUp := j.MaxCatchUp
	if maxCatchUp <= 0 {
		maxCatchUp = 31
	}
	due := Due(now(), j.Hour)
	var done []string
	_, err := j.Store.TryWithLock(ctx, store.InsightsLockKey, func(ctx context.Context) error {
		last, err := j.Store.State(ctx, stateKey)
		if err != nil {
			return err
		}
		if last >= due {
			return j.refresh(ctx, cat, last, now())
		}
		dueT, _ := time.Parse(license.DateLayout, due)
		start := dueT.AddDate(0, 0, -(maxCatchUp - 1))
		if lastT, err := time.Parse(license.DateLayout, last); err == nil && lastT.AddDate(0, 0, 1).After(start) {
			start = lastT.AddDate(0, 0, 1)
		} else if last == "" {
			start = dueT // a fresh collector has no history worth replaying
		}
		for d := start; !d.After(dueT); d = d.AddDate(0, 0, 1) {
			asOf := d.Format(license.DateLayout)
			started := time.Now()
			snaps, err := j.compute(ctx, cat, asOf, now())
			if err != nil {
				return err
			}
			if j.Observe != nil {
				j.Observe(time.Since(started))
			}
			if err := j.Store.SetState(ctx, stateKey, asOf); err != nil {
				return err
			}
			j.logger().Info("insights computed", "as_of", asOf, "teams", len(snaps))
			done = append(done, asOf)
		}
		return nil
	})
	return done, err
}

// compute computes and stores every team's snapshot of asOf, and records
// the usage generation it read, taken before so that an upload during the
// computation makes the snapshots due for a refresh.
func (j *Job) compute(ctx context.Context, cat *catalog.Catalog, asOf string, now time.Time) ([]insights.Snapshot, error) {
	gen, err := j.Store.UsageGeneration(ctx, asOf)
	if err != nil {
		return nil, err
	}
	snaps, err := insights.Run(ctx, j.Store, cat, asOf, now)
	if err != nil {
		return nil, fmt.Errorf("insights as of %s: %w", asOf, err)
	}
	if err := j.Store.SetState(ctx, generationKey, strconv.FormatInt(gen, 10)); err != nil {
		return nil, err
	}
	return snaps, j.Store.SetState(ctx, computedAtKey, now.UTC().Format(time.RFC3339))
}

// refresh computes the latest day's snapshots again when uploads changed
// its data since they were made: a first day of uploads shows on the day,
// not the next. Refresh bounds how often, whatever the uploads.
func (j *Job) refresh(ctx context.Context, cat *catalog.Catalog, last string, now time.Time) error {
	every := j.Refresh
	if every <= 0 {
		every = time.Hour
	}
	at, err := j.Store.State(ctx, computedAtKey)
	if err != nil {
		return err
	}
	if t, err := time.Parse(time.RFC3339, at); err == nil && now.Sub(t) < every {
		return nil
	}
	seen, err := j.Store.State(ctx, generationKey)
	if err != nil {
		return err
	}
	gen, err := j.Store.UsageGeneration(ctx, last)
	if err != nil {
		return err
	}
	if n, err := strconv.ParseInt(seen, 10, 64); err == nil && gen <= n {
		return nil
	}
	snaps, err := j.compute(ctx, cat, last, now)
	if err != nil {
		return err
	}
	j.logger().Info("insights refreshed", "as_of", last, "teams", len(snaps))
	return nil
}
