package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// NotifyLockKey guards the notification passes (reclaim, alerts, digest)
// across replicas.
const NotifyLockKey = 0x7465616d6c656e03

// OpenAlert records that the condition key of team holds from day and, in
// the same transaction, enqueues msgs(day); it does nothing while the
// condition is open already, so an occurrence is told once.
func (s *Store) OpenAlert(ctx context.Context, team, key, day string, msgs func(openedOn string) []Message, now time.Time) (bool, error) {
	opened := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO alert_open (alert_key, team, opened_on) VALUES (?, ?, ?) ON CONFLICT (alert_key) DO NOTHING`, key, team, day)
		if err != nil {
			return fmt.Errorf("alert: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		opened = true
		_, err = enqueue(ctx, tx, msgs(day), now)
		return err
	})
	return opened, err
}

// CloseAlerts ends team's open conditions that no longer hold (those not
// in holding), so their next occurrence is told again.
func (s *Store) CloseAlerts(ctx context.Context, team string, holding map[string]bool) error {
	var gone []string
	err := s.each(ctx, `SELECT alert_key FROM alert_open WHERE team = ?`, []any{team}, func(r *sql.Rows) error {
		var k string
		if err := r.Scan(&k); err != nil {
			return err
		}
		if !holding[k] {
			gone = append(gone, k)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	for _, k := range gone {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM alert_open WHERE alert_key = ?`, k); err != nil {
			return fmt.Errorf("alerts: %w", err)
		}
	}
	return nil
}

// SilentDevice is a device that has not uploaded since LastUpload, with
// the teams of the users it reported in its last 90 days of reports.
type SilentDevice struct {
	ID, Hostname, LastUpload string
	Teams                    []string
}

// SilentDevices lists the devices, not revoked, whose last upload was
// before cutoff and not before since.
func (s *Store) SilentDevices(ctx context.Context, since, cutoff time.Time) ([]SilentDevice, error) {
	var out []SilentDevice
	idx := map[string]int{}
	err := s.each(ctx, `SELECT d.id, d.hostname, d.last_upload_at, COALESCE(t.team, '') FROM devices d
		LEFT JOIN (SELECT DISTINCT l.device_id, x.team FROM device_logins l
			JOIN users u ON u.login_key = l.login
			JOIN assignments a ON a.email = u.email
			JOIN subscriptions x ON x.subscription = a.subscription
			WHERE l.day >= ?) t ON t.device_id = d.id
		WHERE d.revoked_at IS NULL AND d.last_upload_at >= ? AND d.last_upload_at < ?
		ORDER BY d.id, t.team`, []any{cutoff.AddDate(0, 0, -90).Format("2006-01-02"), stamp(since), stamp(cutoff)}, func(r *sql.Rows) error {
		var d SilentDevice
		var team string
		if err := r.Scan(&d.ID, &d.Hostname, &d.LastUpload, &team); err != nil {
			return err
		}
		i, ok := idx[d.ID]
		if !ok {
			idx[d.ID], i = len(out), len(out)
			out = append(out, d)
		}
		if team != "" {
			out[i].Teams = append(out[i].Teams, team)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("silent devices: %w", err)
	}
	return out, nil
}

// SetDigest turns the weekly digest of an admin on or off.
func (s *Store) SetDigest(ctx context.Context, email string, on bool, now time.Time) error {
	email = strings.ToLower(email)
	var err error
	if on {
		_, err = s.db.ExecContext(ctx, `DELETE FROM digest_optout WHERE email = ?`, email)
	} else {
		_, err = s.db.ExecContext(ctx, `INSERT INTO digest_optout (email, at) VALUES (?, ?) ON CONFLICT (email) DO NOTHING`, email, stamp(now))
	}
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	return nil
}

// DigestOff lists the admins who turned the weekly digest off.
func (s *Store) DigestOff(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.each(ctx, `SELECT email FROM digest_optout`, nil, func(r *sql.Rows) error {
		var e string
		if err := r.Scan(&e); err != nil {
			return err
		}
		out[e] = true
		return nil
	})
	return out, err
}

// AuditSince returns team's audit lines at or after from, oldest first.
func (s *Store) AuditSince(ctx context.Context, team string, from time.Time) ([]AuditEntry, error) {
	out := []AuditEntry{}
	err := s.each(ctx, `SELECT at, actor, action, subscription, email, detail FROM audit_log WHERE team = ? AND at >= ?
		ORDER BY at, seq`, []any{team, auditStamp(from)}, func(r *sql.Rows) error {
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

// NotifyFingerprint changes whenever what the notification passes read
// may have: a line of any audit log (every change through the API or the
// console, a policy, a webhook, a kept seat), the seats and assignments
// imported. Uploads do not change it: what they change (a user active
// again, a device silent) waits for the day's pass.
func (s *Store) NotifyFingerprint(ctx context.Context) (string, error) {
	var audits, assigns, subs, seats int64
	var lastAudit string
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM audit_log), (SELECT COALESCE(MAX(at), '') FROM audit_log),
		(SELECT COUNT(*) FROM assignments), (SELECT COUNT(*) FROM subscriptions),
		(SELECT COALESCE(SUM(seats), 0) FROM subscriptions)`).Scan(&audits, &lastAudit, &assigns, &subs, &seats)
	if err != nil {
		return "", fmt.Errorf("notify fingerprint: %w", err)
	}
	return fmt.Sprintf("%d/%s/%d/%d/%d", audits, lastAudit, assigns, subs, seats), nil
}

// MessageExists reports whether the outbox holds a message with key.
func (s *Store) MessageExists(ctx context.Context, key string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE msg_key = ?`, key).Scan(&n)
	return n > 0, err
}
