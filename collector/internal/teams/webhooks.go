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
