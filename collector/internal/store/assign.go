package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrConflict is a change the license picture cannot take as it stands:
// no free seat, or a seat the user holds already.
var ErrConflict = errors.New("conflict")

// Change is one seat assignment made or removed by an admin.
type Change struct {
	Team         string
	Subscription string
	Email        string
	Actor        string // email of the admin making it
}

// AuditEntry is one line of a team's audit log.
type AuditEntry struct {
	At           string `json:"at"`
	Actor        string `json:"actor"`
	Action       string `json:"action"`
	Subscription string `json:"subscription,omitempty"`
	Email        string `json:"email,omitempty"`
	Detail       string `json:"detail,omitempty"`
}

// Audit actions.
const (
	ActionAssign      = "assign"
	ActionUnassign    = "unassign"
	ActionTokenMint   = "token.mint"
	ActionTokenRevoke = "token.revoke"
)

// auditStamp is fixed width, so the text order of at is time order.
func auditStamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// forUpdate locks the row read on PostgreSQL; SQLite's immediate
// transactions already hold the write lock.
func (s *Store) forUpdate() string {
	if s.postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Assign gives c.Email a seat of c.Subscription from today: ErrNotFound for
// an unknown user or a subscription not of c.Team, ErrConflict when the
// user holds a seat of it already or none is free on today.
func (s *Store) Assign(ctx context.Context, c Change, today string, now time.Time) error {
	c.Email = strings.ToLower(c.Email)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var team string
		var seats int64
		err := tx.QueryRowContext(ctx, `SELECT team, seats FROM subscriptions WHERE subscription = ?`+s.forUpdate(), c.Subscription).Scan(&team, &seats)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && team != c.Team) {
			return fmt.Errorf("subscription %q is not of team %s: %w", c.Subscription, c.Team, ErrNotFound)
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = ?`, c.Email).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("user %q is not in the directory: %w", c.Email, ErrNotFound)
		}
		var held, assigned int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN email = ? THEN 1 ELSE 0 END), 0), COUNT(*)
			FROM assignments WHERE subscription = ? AND assigned_on <= ?`, c.Email, c.Subscription, today).Scan(&held, &assigned); err != nil {
			return err
		}
		if held > 0 {
			return fmt.Errorf("%s holds a seat of %s already: %w", c.Email, c.Subscription, ErrConflict)
		}
		if int64(assigned) >= seats {
			return fmt.Errorf("%s has no free seat (%d of %d assigned): %w", c.Subscription, assigned, seats, ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO assignments (subscription, email, assigned_on) VALUES (?, ?, ?)`,
			c.Subscription, c.Email, today); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		return audit(ctx, tx, c.Team, now, c.Actor, ActionAssign, c.Subscription, c.Email, "")
	})
}

// Unassign takes c.Email's seat of c.Subscription away; ErrNotFound when
// the subscription is not c.Team's or the user holds no seat of it.
func (s *Store) Unassign(ctx context.Context, c Change, now time.Time) error {
	c.Email = strings.ToLower(c.Email)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM assignments WHERE subscription = ? AND email = ?
			AND subscription IN (SELECT subscription FROM subscriptions WHERE team = ?)`, c.Subscription, c.Email, c.Team)
		if err != nil {
			return fmt.Errorf("unassign: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s holds no seat of %s in team %s: %w", c.Email, c.Subscription, c.Team, ErrNotFound)
		}
		return audit(ctx, tx, c.Team, now, c.Actor, ActionUnassign, c.Subscription, c.Email, "")
	})
}

// AddAudit writes one audit line outside a license change (token
// management).
func (s *Store) AddAudit(ctx context.Context, team string, now time.Time, e AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return audit(ctx, tx, team, now, e.Actor, e.Action, e.Subscription, e.Email, e.Detail)
	})
}

func audit(ctx context.Context, tx *sql.Tx, team string, now time.Time, actor, action, sub, email, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (id, team, seq, at, actor, action, subscription, email, detail)
		VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log WHERE team = ?), ?, ?, ?, ?, ?, ?)`,
		newID(), team, team, auditStamp(now), actor, action, sub, email, detail)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Audit returns a team's audit log, newest first, at most limit lines.
func (s *Store) Audit(ctx context.Context, team string, limit int) ([]AuditEntry, error) {
	out := []AuditEntry{}
	err := s.each(ctx, `SELECT at, actor, action, subscription, email, detail FROM audit_log WHERE team = ?
		ORDER BY at DESC, seq DESC LIMIT ?`, []any{team, limit}, func(r *sql.Rows) error {
		var e AuditEntry
		if err := r.Scan(&e.At, &e.Actor, &e.Action, &e.Subscription, &e.Email, &e.Detail); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}
