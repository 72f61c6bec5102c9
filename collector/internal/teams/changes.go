package teams

import (
	"context"

	"teamlens/collector/internal/store"
)

// AuditLimit is how many lines of the audit log a read returns.
const AuditLimit = 200

// Assign gives email a seat of subscription on team (primary and secondary
// only), logs it and recomputes today's snapshot before returning.
func (s *Service) Assign(ctx context.Context, who store.Admin, team, subscription, email string) error {
	g, err := s.grant(who, team, needChange)
	if err != nil {
		return err
	}
	c := store.Change{Team: team, Subscription: subscription, Email: email, Actor: who.Email, CanPurchase: g.CanPurchase}
	if err := s.cfg.Store.Assign(ctx, c, s.Today(), s.cfg.Now()); err != nil {
		return err
	}
	s.cfg.Logger.Info("seat assigned", "team", team, "subscription", subscription, "user", email, "by", who.Email)
	return s.recompute(ctx, team)
}

// Unassign takes email's seat of subscription on team away, as Assign.
func (s *Service) Unassign(ctx context.Context, who store.Admin, team, subscription, email string) error {
	g, err := s.grant(who, team, needChange)
	if err != nil {
		return err
	}
	c := store.Change{Team: team, Subscription: subscription, Email: email, Actor: who.Email, CanPurchase: g.CanPurchase}
	if err := s.cfg.Store.Unassign(ctx, c, s.Today(), s.cfg.Now()); err != nil {
		return err
	}
	s.cfg.Logger.Info("seat unassigned", "team", team, "subscription", subscription, "user", email, "by", who.Email)
	return s.recompute(ctx, team)
}

// Audit returns team's audit log, newest first.
func (s *Service) Audit(ctx context.Context, who store.Admin, team string) ([]store.AuditEntry, error) {
	if _, err := s.grant(who, team, needRead); err != nil {
		return nil, err
	}
	return s.cfg.Store.Audit(ctx, team, AuditLimit)
}
