package teams

import (
	"context"
	"fmt"
	"time"

	"teamlens/collector/internal/store"
)

// Admin is one admin of a team with the tokens that reach the team, for a
// primary admin.
type Admin struct {
	Grant  store.Grant
	Tokens []TeamToken
}

// TeamToken is a token that serves a team. Revocable says whether the
// team's primary may revoke it: a token that serves other teams as well is
// not theirs to end.
type TeamToken struct {
	store.Token
	Revocable bool
}

// Admins lists team's admins and their tokens that reach the team
// (primary admins only).
func (s *Service) Admins(ctx context.Context, who store.Admin, team string) ([]Admin, error) {
	if _, err := s.grant(who, team, needManage); err != nil {
		return nil, err
	}
	grants, err := s.cfg.Store.Grants(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []Admin
	var emails []string
	teamsOf := map[string]int{}
	for _, g := range grants {
		teamsOf[g.Email]++
		if g.Team == team {
			out = append(out, Admin{Grant: g})
			emails = append(emails, g.Email)
		}
	}
	tokens, err := s.cfg.Store.Tokens(ctx, emails)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for _, t := range tokens {
			if t.Email != out[i].Grant.Email || (t.Team != "" && t.Team != team) {
				continue
			}
			out[i].Tokens = append(out[i].Tokens, TeamToken{Token: t, Revocable: t.Team == team || teamsOf[t.Email] == 1})
		}
	}
	return out, nil
}

// MintToken issues a token for an admin of team, valid for validFor (zero:
// no expiry), that carries the admin's role on team and nothing else.
// Primary admins only; the team's audit log records it.
func (s *Service) MintToken(ctx context.Context, who store.Admin, team, email string, validFor time.Duration, readOnly bool) (string, error) {
	if _, err := s.grant(who, team, needManage); err != nil {
		return "", err
	}
	if validFor < 0 {
		return "", fmt.Errorf("validity is negative: %w", ErrInvalid)
	}
	now := s.cfg.Now()
	var expires time.Time
	if validFor > 0 {
		expires = now.Add(validFor)
	}
	token, _, err := s.cfg.Store.MintToken(ctx, email, team, who.Email, readOnly, expires, now)
	return token, err
}

// RevokeToken revokes a token that serves team alone (primary admins
// only). A token unknown or not of the team gets one answer, so the page
// tells nothing of other teams' tokens.
func (s *Service) RevokeToken(ctx context.Context, who store.Admin, team, tokenID string) error {
	admins, err := s.Admins(ctx, who, team)
	if err != nil {
		return err
	}
	var found *TeamToken
	for _, a := range admins {
		for i := range a.Tokens {
			if a.Tokens[i].ID == tokenID {
				found = &a.Tokens[i]
			}
		}
	}
	if found == nil {
		return fmt.Errorf("no token %q among the admins of team %s: %w", tokenID, team, store.ErrNotFound)
	}
	if !found.Revocable {
		return fmt.Errorf("token %q serves other teams too; revoke it with collector admin --revoke: %w", tokenID, ErrForbidden)
	}
	now := s.cfg.Now()
	if _, err := s.cfg.Store.RevokeTokens(ctx, tokenID, now); err != nil {
		return err
	}
	return s.cfg.Store.AddAudit(ctx, team, now, store.AuditEntry{Actor: who.Email, Action: store.ActionTokenRevoke, Email: found.Email, Detail: "token " + tokenID})
}
