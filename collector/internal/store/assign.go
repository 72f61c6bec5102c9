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
	// CanPurchase is the actor's purchase permission: without it, an
	// over-assigned subscription (an ended online one whose seats are
	// still held) does not exist for them.
	CanPurchase bool
}

// overAssignedSQL is the over_assignment rule over a subscriptions row s,
// with the day as its one argument.
const overAssignedSQL = `(s.channel = 'online' AND s.end_on < ? AND EXISTS (SELECT 1 FROM assignments a WHERE a.subscription = s.subscription))`

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
	ActionPriceSet    = "price.set"
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
// a user outside the team's directory or a subscription not of c.Team (or
// hidden from c's actor), ErrConflict when the subscription has ended, the
// user holds a seat of it already or none is free on today.
//
// A team's directory is the people who hold a seat of its subscriptions
// and those who hold no seat anywhere: another team's people are not
// there, and an unknown email and another team's person get the same
// answer.
func (s *Store) Assign(ctx context.Context, c Change, today string, now time.Time) error {
	c.Email = strings.ToLower(c.Email)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var team, end string
		var seats int64
		var hidden bool
		err := tx.QueryRowContext(ctx, `SELECT s.team, s.seats, s.end_on, `+overAssignedSQL+` FROM subscriptions s WHERE s.subscription = ?`+s.forUpdate(),
			today, c.Subscription).Scan(&team, &seats, &end, &hidden)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (team != c.Team || (hidden && !c.CanPurchase))) {
			return fmt.Errorf("subscription %q is not of team %s: %w", c.Subscription, c.Team, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if end < today {
			return fmt.Errorf("%s ended on %s: an ended subscription takes no new seats: %w", c.Subscription, end, ErrConflict)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u WHERE u.email = ? AND (
			NOT EXISTS (SELECT 1 FROM assignments a WHERE a.email = u.email) OR
			EXISTS (SELECT 1 FROM assignments a JOIN subscriptions x ON x.subscription = a.subscription WHERE a.email = u.email AND x.team = ?))`,
			c.Email, c.Team).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("user %q is not in team %s's directory: %w", c.Email, c.Team, ErrNotFound)
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
		if err := bumpLicense(ctx, tx); err != nil {
			return err
		}
		return audit(ctx, tx, c.Team, now, c.Actor, ActionAssign, c.Subscription, c.Email, "")
	})
}

// Unassign takes c.Email's seat of c.Subscription away; ErrNotFound when
// the subscription is not c.Team's (or is hidden from c's actor on today)
// or the user holds no seat of it.
func (s *Store) Unassign(ctx context.Context, c Change, today string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return unassign(ctx, tx, c, today, now, "") })
}

// unassign is Unassign inside tx, with the audit line's detail.
func unassign(ctx context.Context, tx *sql.Tx, c Change, today string, now time.Time, detail string) error {
	c.Email = strings.ToLower(c.Email)
	res, err := tx.ExecContext(ctx, `DELETE FROM assignments WHERE subscription = ? AND email = ?
		AND subscription IN (SELECT s.subscription FROM subscriptions s WHERE s.team = ? AND (? OR NOT `+overAssignedSQL+`))`,
		c.Subscription, c.Email, c.Team, c.CanPurchase, today)
	if err != nil {
		return fmt.Errorf("unassign: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s holds no seat of %s in team %s: %w", c.Email, c.Subscription, c.Team, ErrNotFound)
	}
	if err := bumpLicense(ctx, tx); err != nil {
		return err
	}
	return audit(ctx, tx, c.Team, now, c.Actor, ActionUnassign, c.Subscription, c.Email, detail)
}

// OverAssigned lists team's subscriptions that are over-assigned on day:
// online, ended before it, with seats still held. Only admins who may
// purchase see them, on any day.
func (s *Store) OverAssigned(ctx context.Context, team, day string) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.each(ctx, `SELECT s.subscription FROM subscriptions s WHERE s.team = ? AND `+overAssignedSQL, []any{team, day}, func(r *sql.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		out[id] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("over-assigned subscriptions: %w", err)
	}
	return out, nil
}

// SetPrice sets (milli < 0: removes) the price of one seat of team's
// subscription and writes it to the audit log; ErrNotFound when the
// subscription is not team's.
func (s *Store) SetPrice(ctx context.Context, c Change, milli int64, currency, term string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var price any
		detail := "no price"
		if milli >= 0 {
			price = milli
			detail = fmt.Sprintf("%d.%03d %s %s", milli/1000, milli%1000, currency, term)
		} else {
			currency = ""
		}
		res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET price_milli = ?, currency = ?, term = ? WHERE subscription = ? AND team = ?`,
			price, currency, term, c.Subscription, c.Team)
		if err != nil {
			return fmt.Errorf("set price: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("subscription %q is not of team %s: %w", c.Subscription, c.Team, ErrNotFound)
		}
		if err := bumpLicense(ctx, tx); err != nil {
			return err
		}
		return audit(ctx, tx, c.Team, now, c.Actor, ActionPriceSet, c.Subscription, "", detail)
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
