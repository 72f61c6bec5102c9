// Package store is the agent's local SQLite database: sanitized events with
// the read offsets of the spool files they came from, product sessions,
// consent, the daily roll-up and the upload queue.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"teamlens/agent/internal/rollup"
	"teamlens/internal/sqlitedb"
	"teamlens/internal/sqlrun"
	"teamlens/shared/config"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database's name inside the data directory.
const FileName = "agent.db"

// Options are the store's seams; the zero value is production.
type Options struct {
	// Location gives the local calendar day of events; nil is time.Local.
	Location *time.Location
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Store is the agent database. Safe for concurrent use, and by several
// processes at once (the service and the CLI).
type Store struct {
	db    *sql.DB
	cal   rollup.Calendar
	now   func() time.Time
	stmts statements
}

// Open opens the database in dataDir, creating the directory and the schema
// when needed.
func Open(ctx context.Context, dataDir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	// secure_delete overwrites what is deleted, so forgotten data does not
	// linger in free pages (see Forget for the WAL).
	db, err := sqlitedb.Open(ctx, filepath.Join(dataDir, FileName), migrations, "migrations", "secure_delete(ON)")
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, cal: rollup.Calendar{Loc: opt.Location}, now: opt.Now, stmts: statements{db: db}}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SetPolicy records the policy in force, saved by the running agent so
// the CLI applies the same rules. Disabling analytics withdraws every user's
// analytics that were not uploaded yet, as turning consent off would.
func (s *Store) SetPolicy(ctx context.Context, p config.Policy) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := setMeta(ctx, tx, "policy.analytics", p.Analytics); err != nil {
			return err
		}
		if err := setMeta(ctx, tx, "policy.seat_usage", strconv.FormatBool(p.SeatUsage)); err != nil {
			return err
		}
		if !p.AnalyticsAllowed() {
			return dropAnalytics(ctx, tx, "")
		}
		return nil
	})
}

// Policy returns the recorded policy; the default before any agent ran is
// user choice with seat usage on.
func (s *Store) Policy(ctx context.Context) (config.Policy, error) {
	return policy(ctx, s.db)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func policy(ctx context.Context, q querier) (config.Policy, error) {
	p := config.Policy{Analytics: config.AnalyticsUserChoice, SeatUsage: true}
	a, err := meta(ctx, q, "policy.analytics")
	if err != nil {
		return p, err
	}
	seat, err := meta(ctx, q, "policy.seat_usage")
	if err != nil {
		return p, err
	}
	if a == config.AnalyticsDisabled {
		p.Analytics = a
	}
	p.SeatUsage = seat != "false"
	return p, nil
}

func meta(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func setMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// ErrAnalyticsDisabled is returned when a user opts in while the admin
// policy forbids analytics.
var ErrAnalyticsDisabled = errors.New("analytics are disabled by the administrator's policy")

// Consent reports whether analytics are on for user: their own choice,
// unless the policy disables analytics.
func (s *Store) Consent(ctx context.Context, user string) (bool, error) {
	return consent(ctx, s.db, user)
}

func consent(ctx context.Context, q querier, user string) (bool, error) {
	p, err := policy(ctx, q)
	if err != nil || !p.AnalyticsAllowed() {
		return false, err
	}
	var state string
	err = q.QueryRowContext(ctx, `SELECT state FROM consent WHERE user = ?`, user).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return state == "on", err
}

// SetConsent records user's choice. Turning it off stops analytics at once:
// the analytics of every day not yet uploaded are dropped, so they are
// never sent.
func (s *Store) SetConsent(ctx context.Context, user string, on bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.setConsent(ctx, tx, user, on) })
}

func (s *Store) setConsent(ctx context.Context, tx *sql.Tx, user string, on bool) error {
	p, err := policy(ctx, tx)
	if err != nil {
		return err
	}
	if on && !p.AnalyticsAllowed() {
		return ErrAnalyticsDisabled
	}
	state := "off"
	if on {
		state = "on"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO consent (user, state, changed_ms) VALUES (?, ?, ?)
		ON CONFLICT (user) DO UPDATE SET state = excluded.state, changed_ms = excluded.changed_ms`,
		user, state, s.now().UnixMilli()); err != nil {
		return err
	}
	if !on {
		return dropAnalytics(ctx, tx, user)
	}
	return nil
}

// dropAnalytics removes the analytics of user's day records not uploaded
// yet (every user's when user is ""): stopping from now on leaves days
// already uploaded, and their analytics on the collector, as they are.
func dropAnalytics(ctx context.Context, tx *sql.Tx, user string) error {
	_, err := tx.ExecContext(ctx, `UPDATE days SET analytics = NULL, rev = rev + 1
		WHERE analytics IS NOT NULL AND rev > sent_rev AND (? = '' OR user = ?)`, user, user)
	return err
}

func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return sqlrun.InTx(ctx, s.db, fn)
}
