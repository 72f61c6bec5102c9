package teams

import (
	"context"
	"fmt"
	"net/url"

	"teamlens/collector/internal/store"
)

// Webhook kinds (as package notify renders them).
var webhookKinds = map[string]bool{"slack": true, "teams": true, "generic": true}

// AddWebhook adds a webhook to team (primary and secondary only) and
// returns it with its secret, shown this once; audited.
func (s *Service) AddWebhook(ctx context.Context, who store.Admin, team, rawURL, kind string) (store.Webhook, error) {
	if _, err := s.grant(who, team, needChange); err != nil {
		return store.Webhook{}, err
	}
	if !webhookKinds[kind] {
		return store.Webhook{}, fmt.Errorf("kind %q is not slack, teams or generic: %w", kind, ErrInvalid)
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(rawURL) > 2048 {
		return store.Webhook{}, fmt.Errorf("url %q is not an http(s) URL without credentials: %w", rawURL, ErrInvalid)
	}
	return s.cfg.Store.AddWebhook(ctx, store.Webhook{Team: team, URL: u.String(), Kind: kind, CreatedBy: who.Email}, s.cfg.Now())
}

// Webhooks lists team's webhooks without their secrets (primary and
// secondary only: a webhook's URL is itself a credential).
func (s *Service) Webhooks(ctx context.Context, who store.Admin, team string) ([]store.Webhook, error) {
	if _, err := s.grant(who, team, needChange); err != nil {
		return nil, err
	}
	return s.cfg.Store.Webhooks(ctx, team)
}

// DeleteWebhook removes a webhook of team; its messages not yet sent are
// cancelled. Audited.
func (s *Service) DeleteWebhook(ctx context.Context, who store.Admin, team, id string) error {
	if _, err := s.grant(who, team, needChange); err != nil {
		return err
	}
	return s.cfg.Store.DeleteWebhook(ctx, team, id, who.Email, s.cfg.Now())
}

// OutboxLimit is how many messages a read of a team's outbox returns.
const OutboxLimit = 200

// Outbox lists team's latest messages and their delivery state (primary
// and secondary only: it holds users' names and reasons).
func (s *Service) Outbox(ctx context.Context, who store.Admin, team string) ([]store.Message, error) {
	if _, err := s.grant(who, team, needChange); err != nil {
		return nil, err
	}
	return s.cfg.Store.Outbox(ctx, team, OutboxLimit)
}

// SetDigest turns who's weekly digest on or off (any admin of team).
func (s *Service) SetDigest(ctx context.Context, who store.Admin, team string, on bool) error {
	if _, err := s.grant(who, team, needRead); err != nil {
		return err
	}
	return s.cfg.Store.SetDigest(ctx, who.Email, on, s.cfg.Now())
}

// DigestOn reports whether who gets the weekly digest.
func (s *Service) DigestOn(ctx context.Context, who store.Admin) (bool, error) {
	off, err := s.cfg.Store.DigestOff(ctx)
	return !off[who.Email], err
}

// Recipient is an admin of a team as the notifications reach them.
type Recipient struct {
	Email       string `json:"email"`
	Role        string `json:"role"`
	CanPurchase bool   `json:"can_purchase"` // gets over-assignment alerts
	Digest      bool   `json:"digest"`       // gets the weekly digest
}

// Recipients lists who of team's admins gets its mail: primary,
// secondary and sso admins get alerts and reclaim reports.
func (s *Service) Recipients(ctx context.Context, who store.Admin, team string) ([]Recipient, error) {
	if _, err := s.grant(who, team, needRead); err != nil {
		return nil, err
	}
	grants, err := s.cfg.Store.Grants(ctx, "")
	if err != nil {
		return nil, err
	}
	off, err := s.cfg.Store.DigestOff(ctx)
	if err != nil {
		return nil, err
	}
	out := []Recipient{}
	for _, g := range grants {
		if g.Team == team && allows(g.Role, needRead) {
			out = append(out, Recipient{Email: g.Email, Role: g.Role, CanPurchase: g.CanPurchase, Digest: !off[g.Email]})
		}
	}
	return out, nil
}
