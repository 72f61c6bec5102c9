package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a console session: the admin token it was opened with and
// the CSRF token of its forms.
type Session struct {
	TokenID string
	CSRF    string
}

// MaxSessionsPerToken is how many console sessions one admin token keeps
// open: a new sign-in beyond it ends the oldest.
const MaxSessionsPerToken = 10

// CreateSession opens a session for a token until expires and returns its
// id (the cookie's value, kept hashed) and CSRF token.
func (s *Store) CreateSession(ctx context.Context, tokenID string, expires, now time.Time) (id, csrf string, err error) {
	id, hash, err := NewToken()
	if err != nil {
		return "", "", err
	}
	csrf, _, err = NewToken()
	if err != nil {
		return "", "", err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// Expired sessions go as new ones come, so the table stays small.
		if _, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE expires_at <= ?`, stamp(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO console_sessions (id_hash, token_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			hash, tokenID, csrf, stamp(now), stamp(expires)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE token_id = ? AND id_hash NOT IN (
			SELECT id_hash FROM console_sessions WHERE token_id = ? ORDER BY created_at DESC, id_hash = ? DESC LIMIT ?)`,
			tokenID, tokenID, hash, MaxSessionsPerToken)
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("create session: %w", err)
	}
	return id, csrf, nil
}

// SessionByID returns a session that has not expired at now, or
// ErrUnauthorized.
func (s *Store) SessionByID(ctx context.Context, id string, now time.Time) (Session, error) {
	var x Session
	err := s.db.QueryRowContext(ctx, `SELECT token_id, csrf FROM console_sessions WHERE id_hash = ? AND expires_at > ?`,
		HashToken(id), stamp(now)).Scan(&x.TokenID, &x.CSRF)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrUnauthorized
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	return x, nil
}

// DeleteSession ends a session, and every expired one with it.
func (s *Store) DeleteSession(ctx context.Context, id string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM console_sessions WHERE id_hash = ? OR expires_at <= ?`, HashToken(id), stamp(now))
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
