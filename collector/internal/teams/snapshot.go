package teams

import (
	"context"
	"errors"
	"fmt"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/shared/wire"
)

// Snapshot returns team's snapshot of day (its latest when day is ""), as
// who may see it. A day not computed yet is computed now, as `collector
// insights` would, and kept.
func (s *Service) Snapshot(ctx context.Context, who store.Admin, team, day string) (*insights.Snapshot, error) {
	g, err := s.grant(who, team, needRead)
	if err != nil {
		return nil, err
	}
	if err := s.snapshotDay(day); err != nil {
		return nil, err
	}
	body, err := s.cfg.Store.Snapshot(ctx, team, day)
	if errors.Is(err, store.ErrNotFound) {
		body, err = s.computeSnapshot(ctx, team, day)
	}
	if err != nil {
		return nil, err
	}
	snap, err := insights.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("snapshot of %s: %w", team, err)
	}
	hidden, err := s.hidden(ctx, g, team)
	if err != nil {
		return nil, err
	}
	v := snap.ForAdmin(g.CanPurchase, hidden)
	return &v, nil
}

// Recompute computes team's license findings of today again, whether or
// not a snapshot is stored, and returns the snapshot as who may see it
// (primary and secondary only). The team's product figures stay the
// daily job's: see insights.RefreshTeam.
func (s *Service) Recompute(ctx context.Context, who store.Admin, team string) (*insights.Snapshot, error) {
	if _, err := s.grant(who, team, needChange); err != nil {
		return nil, err
	}
	if err := s.recompute(ctx, team); err != nil {
		return nil, err
	}
	return s.Snapshot(ctx, who, team, s.Today())
}

// recompute stores today's snapshot of team with fresh license findings,
// so a read right after a license change shows it.
func (s *Service) recompute(ctx context.Context, team string) error {
	today := s.Today()
	return s.cfg.Store.WithLock(ctx, store.InsightsLockKey, func(ctx context.Context) error {
		_, err := insights.RefreshTeam(ctx, s.cfg.Store, s.cfg.Catalog, team, today, s.cfg.Now())
		return err
	})
}

// snapshotDay checks the as_of of a snapshot request: a day after today
// has no data yet, and one further back than the oldest day an upload may
// carry has none any more; either would only make an empty snapshot.
func (s *Service) snapshotDay(day string) error {
	if err := asOf(day); err != nil || day == "" {
		return err
	}
	t, _ := time.Parse(license.DateLayout, day)
	today, _ := time.Parse(license.DateLayout, s.Today())
	if t.After(today) {
		return fmt.Errorf("as_of %s is after today: %w", day, ErrInvalid)
	}
	if first, _ := wire.AcceptedDates(today); t.Before(first) {
		return fmt.Errorf("as_of %s is more than %d years ago: %w", day, wire.AcceptYearsBack, ErrInvalid)
	}
	return nil
}

// computeSnapshot computes team's snapshot of asOf (today when empty)
// unless another request or replica just did. Only the asking team's
// snapshot is computed: every other team's latest stays the one its own
// admins or the daily job made.
func (s *Service) computeSnapshot(ctx context.Context, team, asOf string) ([]byte, error) {
	now := s.cfg.Now()
	if asOf == "" {
		asOf = s.Today()
	}
	err := s.cfg.Store.WithLock(ctx, store.InsightsLockKey, func(ctx context.Context) error {
		if _, err := s.cfg.Store.Snapshot(ctx, team, asOf); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		_, err := insights.RunTeam(ctx, s.cfg.Store, s.cfg.Catalog, team, asOf, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.cfg.Store.Snapshot(ctx, team, asOf)
}
