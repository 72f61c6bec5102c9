package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// EnrollTokenPrefix starts every minted enrollment token, so that a token
// found in a file or a log is recognisable (and secret scanners can match it).
const EnrollTokenPrefix = "tle_"

// EnrollToken describes a minted enrollment token; the token itself is
// shown once, at minting, and only its hash is kept.
type EnrollToken struct {
	ID        string
	ExpiresAt time.Time
	MaxUses   int64
}

// MintEnrollToken stores a new enrollment token valid until expires for at
// most uses enrollments and returns it with its description.
func (s *Store) MintEnrollToken(ctx context.Context, expires time.Time, uses int64, now time.Time) (string, EnrollToken, error) {
	if uses < 1 {
		return "", EnrollToken{}, fmt.Errorf("uses %d is not 1 or more", uses)
	}
	if !expires.After(now) {
		return "", EnrollToken{}, errors.New("expiry is not in the future")
	}
	raw, _, err := NewToken()
	if err != nil {
		return "", EnrollToken{}, err
	}
	token := EnrollTokenPrefix + raw
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", EnrollToken{}, err
	}
	t := EnrollToken{ID: hex.EncodeToString(b), ExpiresAt: expires.UTC().Truncate(time.Second), MaxUses: uses}
	_, err = s.db.ExecContext(ctx, `INSERT INTO enroll_tokens (id, token_hash, created_at, expires_at, max_uses, used) VALUES (?, ?, ?, ?, ?, 0)`,
		t.ID, HashToken(token), stamp(now), stamp(t.ExpiresAt), uses)
	if err != nil {
		return "", EnrollToken{}, fmt.Errorf("mint enroll token: %w", err)
	}
	return token, t, nil
}

// EnrollWithToken spends one use of a minted enrollment token and
// registers a device, in one transaction; ErrUnauthorized when the token
// is unknown, expired or used up. It returns the token's id for the log.
func (s *Store) EnrollWithToken(ctx context.Context, enrollToken, hostname string, now time.Time) (id, token, tokenID string, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// One conditional UPDATE: concurrent enrollments cannot spend the
		// same last use twice.
		res, err := tx.ExecContext(ctx, `UPDATE enroll_tokens SET used = used + 1
			WHERE token_hash = ? AND used < max_uses AND expires_at > ?`, HashToken(enrollToken), stamp(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrUnauthorized
		}
		if err := tx.QueryRowContext(ctx, `SELECT id FROM enroll_tokens WHERE token_hash = ?`, HashToken(enrollToken)).Scan(&tokenID); err != nil {
			return err
		}
		id, token, err = insertDevice(ctx, tx, hostname, now)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrUnauthorized) {
			return "", "", "", err
		}
		return "", "", "", fmt.Errorf("enroll: %w", err)
	}
	return id, token, tokenID, nil
}

// EnrollTokenState is a minted token as listed: never the token itself.
type EnrollTokenState struct {
	ID                   string
	CreatedAt, ExpiresAt string
	MaxUses, Used        int64
}

// EnrollTokens lists the minted enrollment tokens, newest first.
func (s *Store) EnrollTokens(ctx context.Context) ([]EnrollTokenState, error) {
	var out []EnrollTokenState
	err := s.each(ctx, `SELECT id, created_at, expires_at, max_uses, used FROM enroll_tokens ORDER BY created_at DESC, id`, nil,
		func(r *sql.Rows) error {
			var t EnrollTokenState
			if err := r.Scan(&t.ID, &t.CreatedAt, &t.ExpiresAt, &t.MaxUses, &t.Used); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("enroll tokens: %w", err)
	}
	return out, nil
}

// RevokeEnrollToken ends a minted token at once by moving its expiry to
// now (or keeping an earlier one); devices it enrolled keep their own
// tokens (collector revoke --device ends those).
func (s *Store) RevokeEnrollToken(ctx context.Context, id string, now time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE enroll_tokens SET expires_at = CASE WHEN expires_at < ? THEN expires_at ELSE ? END WHERE id = ?`,
		stamp(now), stamp(now), id)
	if err != nil {
		return fmt.Errorf("revoke enroll token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("enroll token %s: %w", id, ErrNotFound)
	}
	return nil
}
