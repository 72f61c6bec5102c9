package teams

import (
	"context"
	"errors"
	"fmt"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
)

// Snapshot returns team's snapshot of day (its latest when day is ""), as
// who may see it. A day not computed yet is computed now, as `collector
// insights` would, and kept.
func (s *Service) Snapshot(ctx context.Context, who store.Admin, team, day string) (*insights.Snapshot, error) {
	g, err := s.grant(who, team, needRead)
	if err != nil {
		return nil, err
	}
	if err := asOf(day); err != nil {
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
	v := snap.ForAdmin(g.CanPurchase)
	return &v, nil
}

// Recompute computes team's snapshot of today again, whether or not one
// is stored, and returns it as who may see it.
func (s *Service) Recompute(ctx context.Context, who store.Admin, team string) (*insights.Snapshot, error) {
	if _, err := s.grant(who, team, needRead); err != nil {
		return nil, err
	}
	if err := s.recompute(ctx, team); err != nil {
		return nil, err
	}
	return s.Snapshot(ctx, who, team, s.Today())
}

// recompute stores a fresh snapshot of today for team, so a read right
// after a license change shows it.
func (s *Service) recompute(ctx context.Context, team string) error {
	today := s.Today()
	return s.cfg.Store.WithLock(ctx, store.InsightsLockKey, func(ctx context.Context) error {
		_, err := insights.Run(ctx, s.cfg.Store, s.cfg.Catalog, today, s.cfg.Now())
		return err
	})
}

// computeSnapshot computes every team's snapshot of asOf (today when
// empty) unless another request or replica just did, and returns team's.
// A day after tomorrow has no insights yet.
func (s *Service) computeSnapshot(ctx context.Context, team, asOf string) ([]byte, error) {
	now := s.cfg.Now()
	if asOf == "" {
		asOf = now.Format(license.DateLayout)
	}
	if asOf > now.AddDate(0, 0, 1).Format(license.DateLayout) {
		return nil, fmt.Errorf("no insights for this team and day: %w", store.ErrNotFound)
	}
	err := s.cfg.Store.WithLock(ctx, store.InsightsLockKey, func(ctx context.Context) error {
		if _, err := s.cfg.Store.Snapshot(ctx, team, asOf); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		_, err := insights.Run(ctx, s.cfg.Store, s.cfg.Catalog, asOf, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.cfg.Store.Snapshot(ctx, team, asOf)
}
