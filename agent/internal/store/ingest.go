package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"teamlens/shared/journal"
	"teamlens/shared/wire"
)

// FileState is the read position of one spool file.
type FileState struct {
	Path     string
	Dev, Ino uint64
	Offset   int64 // bytes consumed: always the end of a complete line
	Line     int64 // lines consumed, for log messages
	Skipping bool  // inside an over-long line whose end has not been read
	User     string
	Ended    bool // the file held a session.end
	Updated  time.Time
}

// Sample is one reading of a product process's resource use.
type Sample struct {
	Product, Version string
	TS               time.Time
	CPUPct           float64
	RSSBytes         int64
}

// Alive says a process session was still running at At.
type Alive struct {
	Product, Version, Session string
	At                        time.Time
}

// Batch is what one read of a spool file or one process scan produced for
// one user. It is committed whole or not at all, with the file's new read
// position: a crash can neither lose nor double what it holds.
type Batch struct {
	User    string
	Events  []journal.Event
	Source  string // "journal" or "process"
	Rejects map[string]int
	Samples []Sample
	Alive   []Alive
	File    *FileState
}

// Result says what a commit kept.
type Result struct {
	Stored    int // events written
	Discarded int // analytics dropped unread for want of consent
}

type sessKey struct{ product, version, session string }

type span struct {
	start, last int64
	ended       bool
}

type dayKey struct{ product, version, date string }

type dayState struct {
	minutes, sessions         int
	origMinutes, origSessions int
	analytics                 *wire.Analytics
	origAnalytics             string
	exists                    bool
}

// Commit stores a batch in one transaction.
func (s *Store) Commit(ctx context.Context, b Batch) (Result, error) {
	var res Result
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.commit(ctx, tx, b)
		return err
	})
	return res, err
}

func (s *Store) commit(ctx context.Context, tx *sql.Tx, b Batch) (Result, error) {
	var res Result
	pol, err := policy(ctx, tx)
	if err != nil {
		return res, err
	}
	allowed, err := consent(ctx, tx, b.User)
	if err != nil {
		return res, err
	}
	source := b.Source
	if source == "" {
		source = "journal"
	}
	insEvent, err := tx.PrepareContext(ctx, `INSERT INTO events (user, ts_ms, date, product, version, session, type, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return res, err
	}
	defer insEvent.Close()
	upSession, err := tx.PrepareContext(ctx, `INSERT INTO sessions (user, product, version, session, start_ms, last_ms, ended, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user, product, version, session) DO UPDATE SET
			start_ms = MIN(start_ms, excluded.start_ms),
			last_ms = MAX(last_ms, excluded.last_ms),
			ended = MAX(ended, excluded.ended)`)
	if err != nil {
		return res, err
	}
	defer upSession.Close()

	// Sessions are folded in memory and written once each per batch.
	spans := map[sessKey]*span{}
	seen := func(k sessKey, ms int64, ended bool) {
		sp := spans[k]
		if sp == nil {
			sp = &span{start: ms, last: ms}
			spans[k] = sp
		}
		sp.start, sp.last = min(sp.start, ms), max(sp.last, ms)
		sp.ended = sp.ended || ended
	}
	days := map[dayKey]*dayState{}
	dateOf := s.dateNamer()
	for i := range b.Events {
		e := &b.Events[i]
		ms := e.TS.UnixMilli()
		if pol.SeatUsage {
			// Any event shows the session alive at its time, even one whose
			// content is dropped for want of consent.
			seen(sessKey{e.Product, e.Version, e.Session}, ms, e.Type == journal.SessionEnd)
		}
		if e.IsSeatUsage() {
			if !pol.SeatUsage {
				continue
			}
			if !allowed {
				e.StripAnalytics()
			}
		} else if !allowed {
			res.Discarded++
			continue
		}
		date := dateOf(e.TS)
		body, err := e.MarshalJSON()
		if err != nil {
			return res, err
		}
		if _, err := insEvent.ExecContext(ctx, b.User, ms, date, e.Product, e.Version, e.Session, e.Type, body); err != nil {
			return res, err
		}
		res.Stored++
		if allowed {
			d, err := s.day(ctx, tx, days, b.User, dayKey{e.Product, e.Version, date})
			if err != nil {
				return res, err
			}
			addEvent(d.analyticsFor(), e)
		}
	}
	if pol.SeatUsage {
		for _, a := range b.Alive {
			seen(sessKey{a.Product, a.Version, a.Session}, a.At.UnixMilli(), false)
		}
	}
	for k, sp := range spans {
		if _, err := upSession.ExecContext(ctx, b.User, k.product, k.version, k.session, sp.start, sp.last, boolInt(sp.ended), source); err != nil {
			return res, err
		}
	}
	if allowed {
		for _, smp := range b.Samples {
			date := smp.TS.In(s.loc).Format(wire.DateLayout)
			d, err := s.day(ctx, tx, days, b.User, dayKey{smp.Product, smp.Version, date})
			if err != nil {
				return res, err
			}
			a := d.analyticsFor()
			if a.CPUPct == nil {
				a.CPUPct = &wire.Stat{}
			}
			if a.RSSMB == nil {
				a.RSSMB = &wire.Stat{}
			}
			a.CPUPct.Add(int64(math.Round(smp.CPUPct)))
			a.RSSMB.Add(smp.RSSBytes >> 20)
		}
	}
	if err := s.recountMinutes(ctx, tx, b.User, spans, days); err != nil {
		return res, err
	}
	if err := writeDays(ctx, tx, b.User, days); err != nil {
		return res, err
	}
	for reason, n := range b.Rejects {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rejects (reason, count) VALUES (?, ?)
			ON CONFLICT (reason) DO UPDATE SET count = count + excluded.count`, reason, n); err != nil {
			return res, err
		}
	}
	if res.Discarded > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('discarded', ?)
			ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value`, res.Discarded); err != nil {
			return res, err
		}
	}
	if b.File != nil {
		if err := putFile(ctx, tx, *b.File); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (d *dayState) analyticsFor() *wire.Analytics {
	if d.analytics == nil {
		d.analytics = &wire.Analytics{}
	}
	return d.analytics
}

// day loads the day record of key into the batch's cache.
func (s *Store) day(ctx context.Context, tx *sql.Tx, cache map[dayKey]*dayState, user string, k dayKey) (*dayState, error) {
	if d, ok := cache[k]; ok {
		return d, nil
	}
	d := &dayState{}
	var analytics sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT minutes, sessions, analytics FROM days
		WHERE user = ? AND product = ? AND version = ? AND date = ?`, user, k.product, k.version, k.date).
		Scan(&d.minutes, &d.sessions, &analytics)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, err
	default:
		d.exists = true
		d.origMinutes, d.origSessions = d.minutes, d.sessions
		if analytics.Valid {
			d.origAnalytics = analytics.String
			d.analytics = &wire.Analytics{}
			if err := json.Unmarshal([]byte(analytics.String), d.analytics); err != nil {
				return nil, fmt.Errorf("day %s %s: %w", k.product, k.date, err)
			}
		}
	}
	cache[k] = d
	return d, nil
}

// addEvent folds one analytics event into a day's aggregates.
func addEvent(a *wire.Analytics, e *journal.Event) {
	add := func(st **wire.Stat, v int64) {
		if *st == nil {
			*st = &wire.Stat{}
		}
		(*st).Add(v)
	}
	switch e.Type {
	case journal.SessionStart:
		if e.StartupMS != nil {
			add(&a.StartupMS, *e.StartupMS)
		}
	case journal.DocumentOpen:
		add(&a.OpenMS, e.DurationMS)
		add(&a.DocBytes, e.SizeBytes)
	case journal.DocumentSave:
		add(&a.SaveMS, e.DurationMS)
		add(&a.DocBytes, e.SizeBytes)
	case journal.Command:
		if a.Commands == nil {
			a.Commands = map[string]*wire.Outcomes{}
		}
		o := a.Commands[e.Name]
		if o == nil {
			o = &wire.Outcomes{}
			a.Commands[e.Name] = o
		}
		o.Add(e.Outcome)
	case journal.Setting:
		if a.Settings == nil {
			a.Settings = map[string]float64{}
		}
		a.Settings[e.Name] = e.Value
	case journal.Objects:
		// Counts are snapshots of a drawing: the day keeps the largest.
		if a.Objects == nil {
			a.Objects = map[string]int64{}
		}
		for k, n := range e.Counts {
			a.Objects[k] = max(a.Objects[k], n)
		}
	case journal.View:
		// "3d" + "orbit" is counted as "3d.orbit"; a key that would be too
		// long for an identifier is left out rather than truncated.
		key := e.View + "." + e.Change
		if journal.ValidIdentifier(key) {
			if a.Views == nil {
				a.Views = map[string]int64{}
			}
			a.Views[key]++
		}
	}
}

// recountMinutes recomputes minutes and sessions of every day that a
// touched session spans, from all sessions of the same product version:
// overlapping sessions count once, and a session that spans midnight is
// split at it.
func (s *Store) recountMinutes(ctx context.Context, tx *sql.Tx, user string, touched map[sessKey]*span, days map[dayKey]*dayState) error {
	dates := map[dayKey]bool{}
	for k := range touched {
		var start, last int64
		if err := tx.QueryRowContext(ctx, `SELECT start_ms, last_ms FROM sessions
			WHERE user = ? AND product = ? AND version = ? AND session = ?`,
			user, k.product, k.version, k.session).Scan(&start, &last); err != nil {
			return err
		}
		for d := s.midnight(time.UnixMilli(start)); !d.After(time.UnixMilli(last)); d = d.AddDate(0, 0, 1) {
			dates[dayKey{k.product, k.version, d.Format(wire.DateLayout)}] = true
		}
	}
	for k := range dates {
		from, err := time.ParseInLocation(wire.DateLayout, k.date, s.loc)
		if err != nil {
			return err
		}
		lo, hi := from.UnixMilli(), from.AddDate(0, 0, 1).UnixMilli()
		rows, err := tx.QueryContext(ctx, `SELECT start_ms, last_ms FROM sessions
			WHERE user = ? AND product = ? AND version = ? AND start_ms < ? AND last_ms >= ?`,
			user, k.product, k.version, hi, lo)
		if err != nil {
			return err
		}
		var spans [][2]int64
		for rows.Next() {
			var a, b int64
			if err := rows.Scan(&a, &b); err != nil {
				rows.Close()
				return err
			}
			spans = append(spans, [2]int64{max(a, lo), min(b, hi)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		d, err := s.day(ctx, tx, days, user, k)
		if err != nil {
			return err
		}
		d.sessions = len(spans)
		d.minutes = int(math.Round(float64(unionMillis(spans)) / 60000))
	}
	return nil
}

// dateNamer returns the local date of a time, remembering the last day's
// bounds: a batch's events mostly fall on one day.
func (s *Store) dateNamer() func(time.Time) string {
	var lo, hi int64
	var name string
	return func(t time.Time) string {
		if ms := t.UnixMilli(); name == "" || ms < lo || ms >= hi {
			m := s.midnight(t)
			lo, hi, name = m.UnixMilli(), m.AddDate(0, 0, 1).UnixMilli(), m.Format(wire.DateLayout)
		}
		return name
	}
}

func (s *Store) midnight(t time.Time) time.Time {
	t = t.In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
}

// unionMillis is the length of the union of the spans.
func unionMillis(spans [][2]int64) int64 {
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	var total, curA, curB int64
	for i, sp := range spans {
		if i == 0 || sp[0] > curB {
			total += curB - curA
			curA, curB = sp[0], sp[1]
			continue
		}
		curB = max(curB, sp[1])
	}
	return total + curB - curA
}

// writeDays saves the changed day records, bumping their rev.
func writeDays(ctx context.Context, tx *sql.Tx, user string, days map[dayKey]*dayState) error {
	for k, d := range days {
		var analytics sql.NullString
		if d.analytics != nil {
			b, err := json.Marshal(d.analytics)
			if err != nil {
				return err
			}
			analytics = sql.NullString{String: string(b), Valid: true}
		}
		if d.exists && analytics.String == d.origAnalytics && d.minutes == d.origMinutes && d.sessions == d.origSessions {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO days (user, product, version, date, minutes, sessions, analytics)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user, product, version, date) DO UPDATE SET
				minutes = excluded.minutes, sessions = excluded.sessions,
				analytics = excluded.analytics, rev = rev + 1`,
			user, k.product, k.version, k.date, d.minutes, d.sessions, analytics); err != nil {
			return err
		}
	}
	return nil
}

// File returns the stored read position of path.
func (s *Store) File(ctx context.Context, path string) (FileState, bool, error) {
	f := FileState{Path: path}
	var skipping, ended int
	var updated int64
	err := s.db.QueryRowContext(ctx, `SELECT dev, ino, offset, line, skipping, user, ended, updated_ms
		FROM files WHERE path = ?`, path).Scan(&f.Dev, &f.Ino, &f.Offset, &f.Line, &skipping, &f.User, &ended, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	if err != nil {
		return f, false, err
	}
	f.Skipping, f.Ended, f.Updated = skipping == 1, ended == 1, time.UnixMilli(updated)
	return f, true, nil
}

// Files lists the paths of every file with a stored position.
func (s *Store) Files(ctx context.Context) ([]string, error) {
	return strings(ctx, s.db, `SELECT path FROM files ORDER BY path`)
}

// PutFile saves a read position on its own, for a file read with nothing to
// store (only rejected lines, or a reset after truncation).
func (s *Store) PutFile(ctx context.Context, f FileState) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return putFile(ctx, tx, f) })
}

// RemoveFile forgets the read position of a file that is gone from the
// spool. Remove the file first: a position removed before its file would
// make the file read again from the start.
func (s *Store) RemoveFile(ctx context.Context, path string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM files WHERE path = ?`, path)
	return err
}

func putFile(ctx context.Context, tx *sql.Tx, f FileState) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO files (path, dev, ino, offset, line, skipping, user, ended, updated_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, offset = excluded.offset,
			line = excluded.line, skipping = excluded.skipping, user = excluded.user,
			ended = excluded.ended, updated_ms = excluded.updated_ms`,
		f.Path, int64(f.Dev), int64(f.Ino), f.Offset, f.Line, boolInt(f.Skipping), f.User, boolInt(f.Ended), f.Updated.UnixMilli())
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func strings(ctx context.Context, q rowsQuerier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
