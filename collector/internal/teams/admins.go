package teams

import (
	"context"
	"fmt"
	"time"

	"teamlens/collector/internal/store"
)

// Admin is one admin of a team with their tokens, for a primary admin.
type Admin struct {
	Grant  store.Grant
	Tokens []store.Token
}

// Admins lists team's admins and their tokens (primary admins only).
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
	for _, g := range grants {
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
			if t.Email == out[i].Grant.Email {
				out[i].Tokens = append(out[i].Tokens, t)
			}
		}
	}
	return out, nil
}

// member checks that email holds a role on team.
func (s *Service) member(ctx context.Context, team, email string) error {
	grants, err := s.cfg.Store.Grants(ctx, email)
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.Team == team {
			return nil
		}
	}
	return fmt.Errorf("%s is no admin of team %s: %w", email, team, store.ErrNotFound)
}

// MintToken issues a token for an admin of team, valid for validFor (zero:
// no expiry). Primary admins only; the audit log records it.
func (s *Service) MintToken(ctx context.Context, who store.Admin, team, email string, validFor time.Duration) (string, error) {
	if _, err := s.grant(who, team, needManage); err != nil {
		return "", err
	}
	if validFor < 0 {
		return "", fmt.Errorf("validity is negative: %w", ErrInvalid)
	}
	if err := s.member(ctx, team, email); err != nil {
		return "", err
	}
	now := s.cfg.Now()
	var expires time.Time
	if validFor > 0 {
		expires = now.Add(validFor)
	}
	token, id, err := s.cfg.Store.MintToken(ctx, email, expires, now)
	if err != nil {
		return "", err
	}
	return token, s.cfg.Store.AddAudit(ctx, team, now, store.AuditEntry{Actor: who.Email, Action: store.ActionTokenMint, Email: email, Detail: "token " + id})
}

// RevokeToken revokes a token of an admin of team (primary admins only).
func (s *Service) RevokeToken(ctx context.Context, who store.Admin, team, tokenID string) error {
	if _, err := s.grant(who, team, needManage); err != nil {
		return err
	}
	tokens, err := s.cfg.Store.Tokens(ctx, nil)
	if err != nil {
		return err
	}
	email := ""
	for _, t := range tokens {
		if t.ID == tokenID {
			email = t.Email
		}
	}
	if email == "" {
		return fmt.Errorf("token %q: %w", tokenID, store.ErrNotFound)
	}
	if err := s.member(ctx, team, email); err != nil {
		return err
	}
	now := s.cfg.Now()
	if _, err := s.cfg.Store.RevokeTokens(ctx, tokenID, now); err != nil {
		return err
	}
	return s.cfg.Store.AddAudit(ctx, team, now, store.AuditEntry{Actor: who.Email, Action: store.ActionTokenRevoke, Email: email, Detail: "token " + tokenID})
}
