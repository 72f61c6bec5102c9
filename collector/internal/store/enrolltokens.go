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
