package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/internal/sqlrun"
	"teamlens/shared/wire"
)

// DefaultMaxDeviceUsers is the default cap on the distinct users one device
// may report for one day.
const DefaultMaxDeviceUsers = 20

// deviceLimits holds the per-device cap; an atomic so that it can be set
// after Open while uploads run.
type deviceLimits struct{ maxUsers atomic.Int64 }

// SetMaxDeviceUsers sets the cap on the distinct users (login keys) one
// device may report for one day; 0 or less turns it off.
func (s *Store) SetMaxDeviceUsers(n int) { s.limits.maxUsers.Store(int64(n)) }

// UserCapError refuses a batch that would take a device over the cap of
// distinct users of a day. Day is the index in the batch of the first day
// whose user is one too many.
type UserCapError struct {
	Day   int
	Date  string
	Users int
	Max   int
}

func (e *UserCapError) Error() string {
	return fmt.Sprintf("day %d: the device would report %d distinct users on %s, over the limit of %d per device and day",
		e.Day, e.Users, e.Date, e.Max)
}

// trackDevice runs first in PutDays' transaction: it marks the device's
// upload (on PostgreSQL the row lock serializes the device's concurrent
// batches), refuses a batch over the user cap, and records which logins
// the device reports on which days.
func (s *Store) trackDevice(ctx context.Context, tx *preparedTx, device string, days []wire.Day, received string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE devices SET last_upload_at = ? WHERE id = ?`, received, device); err != nil {
		return fmt.Errorf("device %s: %w", device, err)
	}
	type pair struct{ day, login string }
	var pairs []pair
	seen := map[pair]bool{}
	for _, d := range days {
		p := pair{d.Date, license.LoginKey(d.User)}
		if !seen[p] {
			seen[p] = true
			pairs = append(pairs, p)
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	if limit := int(s.limits.maxUsers.Load()); limit > 0 {
		users, err := deviceUsers(ctx, tx.Tx, device, days)
		if err != nil {
			return err
		}
		for i, d := range days {
			date, login := d.Date, license.LoginKey(d.User)
			if users[date] == nil {
				users[date] = map[string]bool{}
			}
			users[date][login] = true
			if len(users[date]) > limit {
				return &UserCapError{Day: i, Date: date, Users: len(users[date]), Max: limit}
			}
		}
	}
	args := make([]any, 0, 5*len(pairs))
	for _, p := range pairs {
		args = append(args, device, p.login, p.day, received, received)
	}
	err := tx.execRows(ctx, `INSERT INTO device_logins (device_id, login, day, first_seen, last_seen)`, 5,
		`ON CONFLICT (device_id, day, login) DO UPDATE SET last_seen = excluded.last_seen`, args)
	if err != nil {
		return fmt.Errorf("device logins: %w", err)
	}
	return nil
}

// deviceUsers reads the logins a device already reported on the days of a
// batch, per day.
func deviceUsers(ctx context.Context, tx *sql.Tx, device string, days []wire.Day) (map[string]map[string]bool, error) {
	from, to := days[0].Date, days[0].Date
	for _, d := range days {
		from, to = min(from, d.Date), max(to, d.Date)
	}
	users := map[string]map[string]bool{}
	err := sqlrun.Each(ctx, tx, `SELECT day, login FROM device_logins WHERE device_id = ? AND day >= ? AND day <= ?`,
		[]any{device, from, to}, func(r *sql.Rows) error {
			var day, login string
			if err := r.Scan(&day, &login); err != nil {
				return err
			}
			if users[day] == nil {
				users[day] = map[string]bool{}
			}
			users[day][login] = true
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("device users: %w", err)
	}
	return users, nil
}

// UserDevice is one device that reported one matched directory user.
type UserDevice struct {
	Email    string
	DeviceID string
	Hostname string
	Revoked  bool
	Days     int64  // distinct days reported in the window
	FirstDay string // first and last day reported in the window
	LastDay  string
}

// DevicesByLogin returns, per matched directory user (by email), the
// devices that reported the user's login for days in [from, to], most
// days first: the usage details show admins who reports whom.
func (s *Store) DevicesByLogin(ctx context.Context, from, to string) (map[string][]UserDevice, error) {
	rows, err := matched(ctx, s, "devices by login", `SELECT l.login, l.device_id, d.hostname, d.revoked_at IS NOT NULL,
			COUNT(*), MIN(l.day), MAX(l.day)
		FROM device_logins l JOIN devices d ON d.id = l.device_id
		WHERE l.day >= ? AND l.day <= ?
		GROUP BY l.login, l.device_id, d.hostname, d.revoked_at`, []any{from, to},
		func(r *sql.Rows, login *string, x *UserDevice) error {
			return r.Scan(login, &x.DeviceID, &x.Hostname, &x.Revoked, &x.Days, &x.FirstDay, &x.LastDay)
		}, func(x *UserDevice) *string { return &x.Email })
	if err != nil {
		return nil, err
	}
	out := map[string][]UserDevice{}
	for _, x := range rows {
		out[x.Email] = append(out[x.Email], x)
	}
	for _, list := range out {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Days != list[j].Days {
				return list[i].Days > list[j].Days
			}
			return list[i].DeviceID < list[j].DeviceID
		})
	}
	return out, nil
}

// Deleted counts the rows RevokeDevice removed.
type Deleted struct {
	Days, Logins int64
}

// RevokeDevice revokes a device's token and, with deleteData, removes in
// the same transaction every usage day it sent and its
// device-login rows. Revoking a revoked device keeps the first revocation
// time, so the command can be run again to delete the data later.
func (s *Store) RevokeDevice(ctx context.Context, id string, deleteData bool, now time.Time) (Deleted, error) {
	var del Deleted
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, stamp(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("device %s: %w", id, ErrNotFound)
		}
		if !deleteData {
			return nil
		}
		if err := forgetAggregates(ctx, tx, id); err != nil {
			return fmt.Errorf("insight aggregates: %w", err)
		}
		for _, t := range []struct {
			table string
			n     *int64
		}{{"usage_days", &del.Days}, {"device_logins", &del.Logins}} {
			res, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE device_id = ?`, id)
			if err != nil {
				return fmt.Errorf("delete %s: %w", t.table, err)
			}
			*t.n, _ = res.RowsAffected()
		}
		return rebuildReach(ctx, tx)
	})
	if err != nil {
		return Deleted{}, fmt.Errorf("revoke: %w", err)
	}
	return del, nil
}
