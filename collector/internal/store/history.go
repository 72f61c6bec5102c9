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
	return s.recordSeatHistory(ctx, []string{day})
}

// recordSeatHistory records the rows of days: the license picture is read
// once, each day's usage through its index (day, login, product) alone.
func (s *Store) recordSeatHistory(ctx context.Context, days []string) error {
	type sub struct {
		id, team, product, start, end string
		seats                         int64
		holders                       [][2]string // login key, assigned_on
	}
	var subs []*sub
	byID := map[string]*sub{}
	err := s.each(ctx, `SELECT subscription, team, product, seats, start_on, end_on FROM subscriptions ORDER BY subscription`, nil, func(r *sql.Rows) error {
		x := &sub{}
		if err := r.Scan(&x.id, &x.team, &x.product, &x.seats, &x.start, &x.end); err != nil {
			return err
		}
		subs = append(subs, x)
		byID[x.id] = x
		return nil
	})
	if err == nil {
		err = s.each(ctx, `SELECT a.subscription, u.login_key, a.assigned_on FROM assignments a JOIN users u ON u.email = a.email`, nil, func(r *sql.Rows) error {
			var id, login, on string
			if err := r.Scan(&id, &login, &on); err != nil {
				return err
			}
			if x := byID[id]; x != nil {
				x.holders = append(x.holders, [2]string{login, on})
			}
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("seat history: %w", err)
	}
	for _, day := range days {
		used := map[[2]string]bool{}
		err := s.each(ctx, `SELECT DISTINCT login, product FROM usage_days WHERE day = ?`, []any{day}, func(r *sql.Rows) error {
			var k [2]string
			if err := r.Scan(&k[0], &k[1]); err != nil {
				return err
			}
			used[k] = true
			return nil
		})
		if err != nil {
			return fmt.Errorf("seat history of %s: %w", day, err)
		}
		var rows []any
		for _, x := range subs {
			if x.start > day || x.end < day {
				continue
			}
			var assigned, active int64
			for _, h := range x.holders {
				if h[1] <= day {
					assigned++
					if used[[2]string{h[0], x.product}] {
						active++
					}
				}
			}
			rows = append(rows, x.id, day, x.team, x.product, x.seats, assigned, active)
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			p := &preparedTx{Tx: tx, stmts: map[string]*sql.Stmt{}}
			return p.execRows(ctx, `INSERT INTO seat_history (subscription, day, team, product, seats, assigned, active)`, 7,
				`ON CONFLICT (subscription, day) DO UPDATE SET active = excluded.active`, rows)
		})
		if err != nil {
			return fmt.Errorf("seat history of %s: %w", day, err)
		}
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
	var days []string
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		if k := d.Format("2006-01-02"); !have[k] {
			days = append(days, k)
		}
	}
	return s.recordSeatHistory(ctx, append(days, day))
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
