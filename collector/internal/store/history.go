package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SeatDay is one subscription on one day: its seats, the seats assigned
// and the assigned users who used its product that day.
type SeatDay struct {
	Date         string `json:"date"`
	Subscription string `json:"subscription"`
	Product      string `json:"product"`
	Seats        int64  `json:"seats"`
	Assigned     int64  `json:"assigned"`
	Active       int64  `json:"active"`
}

// RecordSeatHistory records day's row of every subscription running on
// it. Seats and assigned are kept as first recorded (the picture of that
// day); active is counted again, since uploads for a day arrive late.
func (s *Store) RecordSeatHistory(ctx context.Context, day string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO seat_history (subscription, day, team, product, seats, assigned, active)
		SELECT s.subscription, ?, s.team, s.product, s.seats,
			(SELECT COUNT(*) FROM assignments a WHERE a.subscription = s.subscription AND a.assigned_on <= ?),
			(SELECT COUNT(DISTINCT a.email) FROM assignments a JOIN users u ON u.email = a.email
				WHERE a.subscription = s.subscription AND a.assigned_on <= ?
				AND EXISTS (SELECT 1 FROM usage_days d WHERE d.day = ? AND d.login = u.login_key AND d.product = s.product))
		FROM subscriptions s WHERE s.start_on <= ? AND s.end_on >= ?
		ON CONFLICT (subscription, day) DO UPDATE SET active = excluded.active`, day, day, day, day, day, day)
	if err != nil {
		return fmt.Errorf("seat history of %s: %w", day, err)
	}
	return nil
}

// HistoryFillDays is how far back FillSeatHistory fills days the collector
// has no row of: a new collector, or one that was down, gets a year of
// history from the usage and assignments it holds.
const HistoryFillDays = 365

// FillSeatHistory records day (RecordSeatHistory) and every day of the
// HistoryFillDays before it, since the first usage day, that has no row
// yet.
func (s *Store) FillSeatHistory(ctx context.Context, day string) error {
	end, err := time.Parse("2006-01-02", day)
	if err != nil {
		return fmt.Errorf("seat history: %w", err)
	}
	start := end.AddDate(0, 0, -HistoryFillDays)
	// Nothing is known before the first usage day.
	var first sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT MIN(day) FROM usage_days`).Scan(&first); err != nil {
		return fmt.Errorf("seat history: %w", err)
	}
	switch t, err := time.Parse("2006-01-02", first.String); {
	case err != nil:
		start = end // no usage at all: nothing to fill
	case t.After(start):
		start = t
	}
	have := map[string]bool{}
	err = s.each(ctx, `SELECT DISTINCT day FROM seat_history WHERE day >= ? AND day < ?`, []any{start.Format("2006-01-02"), day}, func(r *sql.Rows) error {
		var d string
		if err := r.Scan(&d); err != nil {
			return err
		}
		have[d] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("seat history: %w", err)
	}
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		if k := d.Format("2006-01-02"); !have[k] {
			if err := s.RecordSeatHistory(ctx, k); err != nil {
				return err
			}
		}
	}
	return s.RecordSeatHistory(ctx, day)
}

// SeatHistory returns team's rows in [from, to], by day then subscription.
func (s *Store) SeatHistory(ctx context.Context, team, from, to string) ([]SeatDay, error) {
	out := []SeatDay{}
	err := s.each(ctx, `SELECT day, subscription, product, seats, assigned, active FROM seat_history
		WHERE team = ? AND day >= ? AND day <= ? ORDER BY day, subscription`, []any{team, from, to}, func(r *sql.Rows) error {
		var x SeatDay
		if err := r.Scan(&x.Date, &x.Subscription, &x.Product, &x.Seats, &x.Assigned, &x.Active); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seat history: %w", err)
	}
	return out, nil
}
