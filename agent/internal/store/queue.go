package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"teamlens/internal/sqlrun"
	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

// PendingDay is a day record waiting for upload, at the revision read.
type PendingDay struct {
	wire.Day
	Rev int64
}

// PendingDays returns up to limit day records changed since their last
// upload, oldest first. A day holds analytics only while its user's
// consent is on: the gate adds them, and turning consent off (or the
// policy to disabled) removes them in the same transaction.
func (s *Store) PendingDays(ctx context.Context, limit int) ([]PendingDay, error) {
	var out []PendingDay
	lo, hi := s.uploadWindow()
	err := sqlrun.Each(ctx, s.db, `SELECT user, product, version, date, minutes, sessions, analytics, rev
		FROM days WHERE `+pending+`
		ORDER BY date, user, product, version LIMIT ?`, []any{lo, hi, limit}, func(r *sql.Rows) error {
		var p PendingDay
		var err error
		p.Day, err = scanDay(r, &p.Rev)
		out = append(out, p)
		return err
	})
	return out, err
}

// pending selects the days waiting for upload, between two dates.
const pending = `rev > sent_rev AND (quarantined_rev IS NULL OR rev > quarantined_rev) AND date BETWEEN ? AND ?`

// uploadWindow is the dates the collector accepts (wire.AcceptedDates),
// narrowed by a day at each end for a collector whose clock or time zone
// differs from ours. A day outside it is never queued: the collector would
// refuse it.
func (s *Store) uploadWindow() (lo, hi string) {
	first, last := wire.AcceptedDates(s.cal.Midnight(s.now()))
	return first.AddDate(0, 0, 1).Format(wire.DateLayout), last.AddDate(0, 0, -1).Format(wire.DateLayout)
}

// MarkUploaded records that the collector accepted these days at the
// revisions read; a day changed since stays pending.
func (s *Store) MarkUploaded(ctx context.Context, days []PendingDay) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, d := range days {
			if _, err := tx.ExecContext(ctx, `UPDATE days SET sent_rev = MAX(sent_rev, ?)
				WHERE user = ? AND product = ? AND version = ? AND date = ?`,
				d.Rev, d.User, d.Product, d.Version, d.Date); err != nil {
				return err
			}
		}
		return nil
	})
}

// Quarantine sets a day aside after the collector refused it, until it
// changes again.
func (s *Store) Quarantine(ctx context.Context, d PendingDay, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE days SET quarantined_rev = ?, quarantine_why = ?
		WHERE user = ? AND product = ? AND version = ? AND date = ?`,
		d.Rev, reason, d.User, d.Product, d.Version, d.Date)
	return err
}

// RecordUpload notes the outcome of an upload attempt for status.
func (s *Store) RecordUpload(ctx context.Context, at time.Time, uploadErr error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if uploadErr == nil {
			return setMeta(ctx, tx, "upload.last_success", at.UTC().Format(time.RFC3339))
		}
		if err := setMeta(ctx, tx, "upload.last_error_at", at.UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		return setMeta(ctx, tx, "upload.last_error", uploadErr.Error())
	})
}

// Status summarizes the database.
func (s *Store) Status(ctx context.Context) (localclient.Status, error) {
	st := localclient.Status{Consent: map[string]string{}, Rejects: map[string]int64{}}
	pol, err := s.Policy(ctx)
	if err != nil {
		return st, err
	}
	st.Policy = pol
	users, err := s.Users(ctx)
	if err != nil {
		return st, err
	}
	for _, u := range users {
		st.Consent[u] = "off" // the default until a user opts in
	}
	if err := s.each(ctx, `SELECT user, state FROM consent ORDER BY user`, func(r *sql.Rows) error {
		var u, state string
		if err := r.Scan(&u, &state); err != nil {
			return err
		}
		if !pol.AnalyticsAllowed() {
			state = "off"
		}
		st.Consent[u] = state
		return nil
	}); err != nil {
		return st, err
	}
	if err := s.each(ctx, `SELECT reason, count FROM rejects`, func(r *sql.Rows) error {
		var reason string
		var n int64
		if err := r.Scan(&reason, &n); err != nil {
			return err
		}
		st.Rejects[reason] = n
		st.Counts.Rejected += n
		return nil
	}); err != nil {
		return st, err
	}
	lo, hi := s.uploadWindow()
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM days WHERE `+pending, lo, hi).Scan(&st.Queue.DaysPending); err != nil {
		return st, err
	}
	for q, dst := range map[string]*int64{
		`SELECT COUNT(*) FROM events`:   &st.Counts.Events,
		`SELECT COUNT(*) FROM sessions`: &st.Counts.Sessions,
		`SELECT COUNT(*) FROM days`:     &st.Counts.Days,
		`SELECT COUNT(*) FROM files`:    &st.Counts.Files,
		`SELECT COUNT(*) FROM days WHERE quarantined_rev IS NOT NULL AND rev = quarantined_rev`: &st.Queue.DaysQuarantined,
	} {
		if err := s.db.QueryRowContext(ctx, q).Scan(dst); err != nil {
			return st, err
		}
	}
	discarded, err := meta(ctx, s.db, "discarded")
	if err != nil {
		return st, err
	}
	st.Counts.Discarded, _ = strconv.ParseInt(discarded, 10, 64)
	for key, dst := range map[string]*string{
		"upload.last_success":  &st.LastUpload.SuccessAt,
		"upload.last_error_at": &st.LastUpload.ErrorAt,
		"upload.last_error":    &st.LastUpload.Error,
		reenrolledKey:          &st.LastUpload.Reenrolled,
	} {
		if *dst, err = meta(ctx, s.db, key); err != nil {
			return st, err
		}
	}
	st.Queue.Quarantined, err = s.Quarantined(ctx)
	return st, err
}

func (s *Store) each(ctx context.Context, query string, fn func(*sql.Rows) error) error {
	return sqlrun.Each(ctx, s.db, query, nil, fn)
}

// Users lists every user the database holds anything about.
func (s *Store) Users(ctx context.Context) ([]string, error) {
	return column(ctx, s.db, `SELECT user FROM consent UNION SELECT user FROM days UNION SELECT user FROM events ORDER BY 1`)
}

// Meta and SetMeta keep small agent facts (e.g. cached benchmarks).
func (s *Store) Meta(ctx context.Context, key string) (string, error) { return meta(ctx, s.db, key) }

// SetMeta saves a small agent fact.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return setMeta(ctx, tx, key, value) })
}
