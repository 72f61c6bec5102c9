package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"teamlens/agent/internal/gate"
	"teamlens/agent/internal/ingest"
	"teamlens/agent/internal/rollup"
	"teamlens/internal/sqlrun"
	"teamlens/shared/journal"
	"teamlens/shared/wire"
)

var _ ingest.Repo = (*Store)(nil)

// Ingest runs fn in one transaction scoped to user's batch.
func (s *Store) Ingest(ctx context.Context, user string, fn func(ingest.Tx) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// A context that can be canceled costs the SQLite driver a
		// goroutine per statement to watch it: a third of the agent's CPU
		// per row, measured. A batch's statements take milliseconds; the
		// transaction itself still ends with ctx.
		return fn(&ingestTx{ctx: context.WithoutCancel(ctx), tx: tx, user: user, cal: s.cal, orig: map[rollup.DayKey]dayRow{},
			stmts: &s.stmts, inTx: map[string]*sql.Stmt{}})
	})
}

// Calendar names the local days of the store's records.
func (s *Store) Calendar() rollup.Calendar { return s.cal }

// ingestTx is the repository side of one batch.
type ingestTx struct {
	ctx  context.Context
	tx   *sql.Tx
	user string
	cal  rollup.Calendar
	// orig holds each day as read, so an unchanged day is not written
	// (a write bumps its revision and sends it again).
	orig map[rollup.DayKey]dayRow
	// Statements are prepared once per connection, not once per row: with
	// a batch of one-line files, parsing SQL was half the agent's work.
	stmts *statements
	inTx  map[string]*sql.Stmt
}

// stmt is query prepared for this transaction.
func (t *ingestTx) stmt(query string) (*sql.Stmt, error) {
	if st, ok := t.inTx[query]; ok {
		return st, nil
	}
	st, err := t.stmts.get(t.ctx, query)
	if err != nil {
		return nil, err
	}
	st = t.tx.StmtContext(t.ctx, st)
	t.inTx[query] = st
	return st, nil
}

// queryRow runs a prepared query of one row.
func (t *ingestTx) queryRow(query string, args ...any) *sql.Row {
	st, err := t.stmt(query)
	if err != nil {
		// A Row carries no error of its own making: run the query
		// unprepared, which fails the same way.
		return t.tx.QueryRowContext(t.ctx, query, args...)
	}
	return st.QueryRowContext(t.ctx, args...)
}

// exec runs a prepared statement.
func (t *ingestTx) exec(query string, args ...any) error {
	st, err := t.stmt(query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(t.ctx, args...)
	return err
}

type dayRow struct {
	minutes, sessions int
	analytics, busy   string
}

func (t *ingestTx) Rules() (gate.Rules, error) {
	p, err := policy(t.ctx, t.tx)
	if err != nil {
		return gate.Rules{}, err
	}
	on, err := consent(t.ctx, t.tx, t.user)
	return gate.Rules{SeatUsage: p.SeatUsage, Analytics: on}, err
}

func (t *ingestTx) Session(k rollup.SessionKey) (rollup.Span, bool, error) {
	var sp rollup.Span
	err := t.queryRow(`SELECT start_ms, last_ms, ended FROM sessions
		WHERE user = ? AND product = ? AND version = ? AND session = ?`,
		t.user, k.Product, k.Version, k.Session).Scan(&sp.Start, &sp.Last, &sp.Ended)
	if errors.Is(err, sql.ErrNoRows) {
		return sp, false, nil
	}
	return sp, err == nil, err
}

func (t *ingestTx) Day(k rollup.DayKey) (rollup.Day, bool, error) {
	var d rollup.Day
	var analytics sql.NullString
	var busy []byte
	var legacy bool // an empty list reads back as nil, as NULL does
	err := t.queryRow(`SELECT minutes, sessions, analytics, busy, busy IS NULL FROM days
		WHERE user = ? AND product = ? AND version = ? AND date = ?`, t.user, k.Product, k.Version, k.Date).
		Scan(&d.Minutes, &d.Sessions, &analytics, &busy, &legacy)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	if err != nil {
		return d, false, err
	}
	t.orig[k] = dayRow{minutes: d.Minutes, sessions: d.Sessions, analytics: analytics.String, busy: string(busy)}
	if analytics.Valid {
		d.Analytics = &wire.Analytics{}
		if err := json.Unmarshal([]byte(analytics.String), d.Analytics); err != nil {
			return d, false, fmt.Errorf("day %s %s: %w", k.Product, k.Date, err)
		}
	}
	if legacy {
		d.Busy, err = t.legacyBusy(k)
	} else {
		err = d.Busy.UnmarshalBinary(busy)
	}
	return d, true, err
}

// legacyBusy counts a day rolled up before days kept their busy time from
// its sessions.
func (t *ingestTx) legacyBusy(k rollup.DayKey) (rollup.Intervals, error) {
	lo, hi, err := t.cal.Bounds(k.Date)
	if err != nil {
		return nil, err
	}
	var spans [][2]int64
	err = sqlrun.Each(t.ctx, t.tx, `SELECT start_ms, last_ms FROM sessions
		WHERE user = ? AND product = ? AND version = ? AND start_ms < ? AND last_ms >= ?`,
		[]any{t.user, k.Product, k.Version, hi, lo}, func(r *sql.Rows) error {
			var a, b int64
			if err := r.Scan(&a, &b); err != nil {
				return err
			}
			spans = append(spans, [2]int64{max(a, lo), min(b, hi)})
			return nil
		})
	return rollup.Union(spans), err
}

func (t *ingestTx) PutEvents(events []journal.Event) error {
	if len(events) == 0 {
		return nil
	}
	ins, err := t.stmt(`INSERT INTO events (user, ts_ms, product, version, session, type, body)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for i := range events {
		e := &events[i]
		body, err := e.MarshalJSON()
		if err != nil {
			return err
		}
		if _, err := ins.ExecContext(t.ctx, t.user, e.TS.UnixMilli(), e.Product, e.Version, e.Session, e.Type, body); err != nil {
			return err
		}
	}
	return nil
}

func (t *ingestTx) PutChanges(ch rollup.Changes) error {
	for k, sp := range ch.Sessions {
		if err := t.exec(`INSERT INTO sessions (user, product, version, session, start_ms, last_ms, ended)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user, product, version, session) DO UPDATE SET
				start_ms = excluded.start_ms, last_ms = excluded.last_ms, ended = excluded.ended`,
			t.user, k.Product, k.Version, k.Session, sp.Start, sp.Last, sp.Ended); err != nil {
			return err
		}
	}
	for k, d := range ch.Days {
		if err := t.putDay(k, d); err != nil {
			return err
		}
	}
	return nil
}

// putDay saves a changed day record, bumping its revision.
func (t *ingestTx) putDay(k rollup.DayKey, d *rollup.Day) error {
	var analytics sql.NullString
	if d.Analytics != nil {
		b, err := json.Marshal(d.Analytics)
		if err != nil {
			return err
		}
		analytics = sql.NullString{String: string(b), Valid: true}
	}
	busy, err := d.Busy.MarshalBinary()
	if err != nil {
		return err
	}
	row := dayRow{minutes: d.Minutes, sessions: d.Sessions, analytics: analytics.String, busy: string(busy)}
	if orig, ok := t.orig[k]; ok && orig == row {
		return nil
	}
	return t.exec(`INSERT INTO days (user, product, version, date, minutes, sessions, analytics, busy)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user, product, version, date) DO UPDATE SET
			minutes = excluded.minutes, sessions = excluded.sessions,
			analytics = excluded.analytics, busy = excluded.busy, rev = rev + 1`,
		t.user, k.Product, k.Version, k.Date, d.Minutes, d.Sessions, analytics, busy)
}

func (t *ingestTx) PutTally(rejects map[string]int, discarded int, files []ingest.Position) error {
	for reason, n := range rejects {
		if err := t.exec(`INSERT INTO rejects (reason, count) VALUES (?, ?)
			ON CONFLICT (reason) DO UPDATE SET count = count + excluded.count`, reason, n); err != nil {
			return err
		}
	}
	if discarded > 0 {
		if err := t.exec(`INSERT INTO meta (key, value) VALUES ('discarded', ?)
			ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value`, discarded); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := t.exec(putFileSQL, f.Path, int64(f.Dev), int64(f.Ino), f.Offset, f.Line, f.Skipping, f.User, f.Ended, f.Updated.UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}
