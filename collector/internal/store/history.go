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
	type holder struct {
		login int32 // into logins
		on    string
	}
	type sub struct {
		id, team, product, start, end string
		seats                         int64
		productID                     int32
		holders                       []holder
	}
	// Logins and products get numbers, so that a day's use is a stamp per
	// (login, product) rather than a map of strings.
	logins, products := map[string]int32{}, map[string]int32{}
	number := func(m map[string]int32, s string) int32 {
		id, ok := m[s]
		if !ok {
			id = int32(len(m))
			m[s] = id
		}
		return id
	}
	var subs []*sub
	byID := map[string]*sub{}
	err := s.each(ctx, `SELECT subscription, team, product, seats, start_on, end_on FROM subscriptions ORDER BY subscription`, nil, func(r *sql.Rows) error {
		x := &sub{}
		if err := r.Scan(&x.id, &x.team, &x.product, &x.seats, &x.start, &x.end); err != nil {
			return err
		}
		x.productID = number(products, x.product)
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
				x.holders = append(x.holders, holder{number(logins, login), on})
			}
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("seat history: %w", err)
	}
	gens := map[string]int64{}
	if len(days) > 0 {
		first, last := days[0], days[0]
		for _, d := range days {
			first, last = min(first, d), max(last, d)
		}
		err = s.each(ctx, `SELECT day, gen FROM usage_generations WHERE day >= ? AND day <= ?`, []any{first, last}, func(r *sql.Rows) error {
			var day string
			var gen int64
			err := r.Scan(&day, &gen)
			gens[day] = gen
			return err
		})
		if err != nil {
			return fmt.Errorf("seat history: %w", err)
		}
	}
	stamps := make([]int32, len(logins)*len(products)) // day index + 1 where used
	for i, day := range days {
		err := s.usedPairs(ctx, day, gens[day], func(login, product []byte) {
			l, ok1 := logins[string(login)]
			p, ok2 := products[string(product)]
			if ok1 && ok2 {
				stamps[int(l)*len(products)+int(p)] = int32(i + 1)
			}
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
				if h.on <= day {
					assigned++
					if stamps[int(h.login)*len(products)+int(x.productID)] == int32(i+1) {
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

// usedPairs calls fn with each login and product used on day: from the
// day's digest when it is current (a window computed just before keeps one
// for each of its days), else from the day's usage rows.
func (s *Store) usedPairs(ctx context.Context, day string, gen int64, fn func(login, product []byte)) error {
	rows, err := s.db.QueryContext(ctx, `SELECT gen, body FROM usage_digests WHERE first_day = ? AND last_day = ?`, day, day)
	if err != nil {
		return err
	}
	done := false
	if rows.Next() {
		var kept int64
		var body sql.RawBytes
		if err := rows.Scan(&kept, &body); err != nil {
			rows.Close()
			return err
		}
		// A damaged digest is read whole first (checkDigest), so that fn
		// sees either all its pairs or none, and then the usage rows.
		done = kept == gen && digestCurrent(body) && checkDigest(body) == nil && eachDigestPair(body, fn) == nil
	}
	rows.Close()
	if err := rows.Err(); err != nil || done {
		return err
	}
	return s.each(ctx, `SELECT DISTINCT login, product FROM usage_days WHERE day = ?`, []any{day}, func(r *sql.Rows) error {
		var login, product sql.RawBytes
		if err := r.Scan(&login, &product); err != nil {
			return err
		}
		fn(login, product)
		return nil
	})
}
