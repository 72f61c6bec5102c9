package store

import (
	"context"
	"database/sql"
	"teamlens/shared/localclient"
	"time"
)

// Quarantined lists the quarantined days, oldest first.
func (s *Store) Quarantined(ctx context.Context) ([]localclient.QuarantinedDay, error) {
	out := []localclient.QuarantinedDay{}
	err := s.each(ctx, `SELECT date, user, product, version, COALESCE(quarantine_why, '') FROM days
		WHERE quarantined_rev IS NOT NULL AND rev = quarantined_rev ORDER BY date, user, product, version`,
		func(r *sql.Rows) error {
			var q localclient.QuarantinedDay
			if err := r.Scan(&q.Date, &q.User, &q.Product, &q.Version, &q.Reason); err != nil {
				return err
			}
			out = append(out, q)
			return nil
		})
	return out, err
}

// Requeue releases the quarantined days of date ("" for every date) into
// the upload queue and returns how many it released.
func (s *Store) Requeue(ctx context.Context, date string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE days SET quarantined_rev = NULL, quarantine_why = NULL
		WHERE quarantined_rev IS NOT NULL AND (? = '' OR date = ?)`, date, date)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// reenrolledKey is the meta key of the latest re-enrollment's note.
const reenrolledKey = "upload.reenrolled"

// RecordReenrolled notes for status that the collector refused the device
// token and the agent enrolled again.
func (s *Store) RecordReenrolled(ctx context.Context, at time.Time, why string) error {
	return s.SetMeta(ctx, reenrolledKey, at.UTC().Format(time.RFC3339)+": "+why)
}
