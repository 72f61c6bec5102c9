// Package store keeps the collector's data in embedded SQLite or in
// PostgreSQL, running the same SQL text on both.
package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/pgdriver"
	"teamlens/internal/migrate"
	"teamlens/internal/sqlitedb"
	"teamlens/internal/sqlrun"
	"teamlens/shared/wire"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Errors callers tell apart.
var (
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("unknown or revoked token")
)

// Lock keys of PostgreSQL advisory locks, shared by every replica.
const (
	migrateLockKey = 0x7465616d6c656e01 // "teamlen" + 1
	// InsightsLockKey guards the daily insight job.
	InsightsLockKey = 0x7465616d6c656e02
)

// Store is the collector's database; safe for concurrent use.
type Store struct {
	db       *sql.DB
	postgres bool
	uncached bool // windows read from usage rows alone (Uncached)
	limits   deviceLimits
}

// IsPostgres reports whether dsn names a PostgreSQL database rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens a SQLite file (created on first use) or a postgres:// URL and
// brings the schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if !IsPostgres(dsn) {
		db, err := sqlitedb.Open(ctx, dsn, migrations, "migrations")
		if err != nil {
			return nil, err
		}
		s := &Store{db: db}
		s.SetMaxDeviceUsers(DefaultMaxDeviceUsers)
		return s, nil
	}
	db, err := pgdriver.Open(dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, postgres: true}
	s.SetMaxDeviceUsers(DefaultMaxDeviceUsers)
	// Replicas starting together must not run the same migration twice.
	err = s.WithLock(ctx, migrateLockKey, func(ctx context.Context) error {
		return migrate.Up(ctx, db, migrations, "migrations")
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Postgres reports whether the store runs on PostgreSQL.
func (s *Store) Postgres() bool { return s.postgres }

// WithLock runs fn holding a cluster-wide PostgreSQL advisory lock, waiting
// for it. On SQLite one process owns the file and fn simply runs.
func (s *Store) WithLock(ctx context.Context, key int64, fn func(context.Context) error) error {
	_, err := s.lockAndRun(ctx, key, true, fn)
	return err
}

// TryWithLock runs fn only if the advisory lock is free, and says whether
// it ran: another replica holding it is already doing the work.
func (s *Store) TryWithLock(ctx context.Context, key int64, fn func(context.Context) error) (bool, error) {
	return s.lockAndRun(ctx, key, false, fn)
}

func (s *Store) lockAndRun(ctx context.Context, key int64, wait bool, fn func(context.Context) error) (bool, error) {
	if !s.postgres {
		return true, fn(ctx)
	}
	// Advisory locks belong to a session, so lock, work and unlock on one
	// pinned connection.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if wait {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, key); err != nil {
			return false, fmt.Errorf("advisory lock: %w", err)
		}
	} else {
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, key).Scan(&got); err != nil {
			return false, fmt.Errorf("advisory lock: %w", err)
		}
		if !got {
			return false, nil
		}
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, key)
	return true, fn(ctx)
}

func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return sqlrun.InTx(ctx, s.db, fn)
}

// NewToken returns a random bearer token and the hash stored for it. The
// tokens carry 256 random bits, so an unsalted SHA-256 is enough.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Enroll registers a device and returns its id and bearer token.
func (s *Store) Enroll(ctx context.Context, hostname string, now time.Time) (id, token string, err error) {
	id, token, err = insertDevice(ctx, s.db, hostname, now)
	if err != nil {
		return "", "", fmt.Errorf("enroll: %w", err)
	}
	return id, token, nil
}

func insertDevice(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, hostname string, now time.Time) (id, token string, err error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	id = hex.EncodeToString(b)
	token, hash, err := NewToken()
	if err != nil {
		return "", "", err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO devices (id, hostname, token_hash, enrolled_at) VALUES (?, ?, ?, ?)`,
		id, hostname, hash, stamp(now))
	return id, token, err
}

// SameHostname counts the devices not revoked that enrolled under
// hostname: more than one is a workstation enrolled again (a reinstall) or
// several machines sharing a name, or someone minting device tokens to
// report more users than one device may.
func (s *Store) SameHostname(ctx context.Context, hostname string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM devices WHERE hostname = ? AND revoked_at IS NULL`, hostname).Scan(&n)
	return n, err
}

// Device returns the id of the device a token belongs to, or
// ErrUnauthorized when it is unknown or revoked.
func (s *Store) Device(ctx context.Context, token string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM devices WHERE token_hash = ? AND revoked_at IS NULL`, HashToken(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrUnauthorized
	}
	return id, err
}

// Revoke revokes a device's token and keeps what it sent.
func (s *Store) Revoke(ctx context.Context, id string, now time.Time) error {
	_, err := s.RevokeDevice(ctx, id, false, now)
	return err
}

// PutDays stores validated days of one device in one transaction; a day
// replaces any earlier upload of the same (device, user, product, version,
// date).
func (s *Store) PutDays(ctx context.Context, device string, days []wire.Day, now time.Time) error {
	received := stamp(now)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		p := &preparedTx{Tx: tx, stmts: map[string]*sql.Stmt{}}
		if err := s.trackDevice(ctx, p, device, days, received); err != nil {
			return err
		}
		if err := touchAggregates(ctx, p, days); err != nil {
			return err
		}
		return putDays(ctx, p, device, days, received)
	})
}

// rowsPerStatement keeps a statement's parameters far below PostgreSQL's
// limit of 65535.
const rowsPerStatement = 200

// preparedTx prepares each statement text once in a transaction: a batch
// runs the same multi-row statements again and again, and SQLite would
// parse their hundreds of placeholders every time.
type preparedTx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt // closed with the transaction
}

func (p *preparedTx) exec(ctx context.Context, query string, args ...any) error {
	st, ok := p.stmts[query]
	if !ok {
		var err error
		if st, err = p.PrepareContext(ctx, query); err != nil {
			return err
		}
		p.stmts[query] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

// execRows runs head + VALUES groups + tail for rows of cols arguments
// each, rowsPerStatement rows at a time: one round trip per statement on
// PostgreSQL, and one parse for every full one.
func (p *preparedTx) execRows(ctx context.Context, head string, cols int, tail string, args []any) error {
	per := cols * rowsPerStatement
	for start := 0; start < len(args); start += per {
		part := args[start:min(start+per, len(args))]
		if err := p.exec(ctx, head+` VALUES `+placeholders(cols, len(part)/cols)+` `+tail, part...); err != nil {
			return fmt.Errorf("rows %d to %d: %w", start/cols, (start+len(part))/cols-1, err)
		}
	}
	return nil
}

func putDays(ctx context.Context, tx *preparedTx, device string, days []wire.Day, received string) error {
	rows := make([]any, 0, usageColumns*len(days))
	for _, d := range days {
		var startupN, startupSum, openN, openSum, saveN, saveSum, commands any
		if a := d.Analytics; a != nil {
			if a.StartupMS != nil {
				startupN, startupSum = a.StartupMS.Count, a.StartupMS.Sum
			}
			if a.OpenMS != nil {
				openN, openSum = a.OpenMS.Count, a.OpenMS.Sum
			}
			if a.SaveMS != nil {
				saveN, saveSum = a.SaveMS.Count, a.SaveMS.Sum
			}
			// Objects, views, settings, process samples and the other
			// command outcomes reach no insight: the collector keeps only
			// what a screen or an insight reads.
			if c := formatCommands(a.Commands); c != "" {
				commands = c
			}
		}
		rows = append(rows, device, d.User, d.Product, d.Version, d.Date, license.LoginKey(d.User), int64(d.Minutes), int64(d.Sessions),
			startupN, startupSum, openN, openSum, saveN, saveSum, commands, received)
	}
	// Replace on key: a day sent again overwrites the row, every column.
	return tx.execRows(ctx, `INSERT INTO usage_days (`+usageColumnList+`)`, usageColumns, `ON CONFLICT (device_id, os_user, product, version, day) DO UPDATE SET login = excluded.login,
		minutes = excluded.minutes, sessions = excluded.sessions,
		startup_count = excluded.startup_count, startup_sum = excluded.startup_sum, open_count = excluded.open_count,
		open_sum = excluded.open_sum, save_count = excluded.save_count, save_sum = excluded.save_sum,
		commands = excluded.commands, received_at = excluded.received_at`, rows)
}

const (
	usageColumnList = `device_id, os_user, product, version, day, login, minutes, sessions,
		startup_count, startup_sum, open_count, open_sum, save_count, save_sum, commands, received_at`
	usageColumns = 16
)

// placeholders returns n groups of cols placeholders: (?, ?), (?, ?).
func placeholders(cols, n int) string {
	group := "(" + strings.Repeat("?, ", cols-1) + "?)"
	return strings.Repeat(group+", ", n-1) + group
}

// Import stores a parsed license file in one transaction; rows whose key
// exists are updated. A row that refers to a team, subscription or user not
// (yet) imported fails the whole file, naming its line.
func (s *Store) Import(ctx context.Context, f *license.File) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := importRows(ctx, tx, f); err != nil {
			return err
		}
		return bumpLicense(ctx, tx)
	})
}

// importRows upserts the rows of f inside tx.
func importRows(ctx context.Context, tx *sql.Tx, f *license.File) error {
	exists := func(table, col, val string) (bool, error) {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE `+col+` = ?`, val).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	missing := func(line int, col, what, val string) error {
		return &license.CellError{Line: line, Column: col, Err: fmt.Errorf("%s %q is not imported", what, val)}
	}
	switch f.Kind {
	case license.KindTeams:
		for _, t := range f.Teams {
			if _, err := tx.ExecContext(ctx, `INSERT INTO teams (team, name, plan, user_management) VALUES (?, ?, ?, ?)
				ON CONFLICT (team) DO UPDATE SET name = excluded.name, plan = excluded.plan, user_management = excluded.user_management`,
				t.Team, t.Name, t.Plan, t.UserManagement); err != nil {
				return fmt.Errorf("line %d: %w", t.Line, err)
			}
		}
	case license.KindUsers:
		for _, u := range f.Users {
			department := ""
			if f.Columns["department"] {
				department = ", department = excluded.department"
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (email, login, name, login_key, department) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (email) DO UPDATE SET login = excluded.login, name = excluded.name, login_key = excluded.login_key`+department,
				u.Email, u.Login, u.Name, u.LoginKey(), u.Department); err != nil {
				return fmt.Errorf("line %d: %w", u.Line, err)
			}
		}
	case license.KindSubscriptions:
		for _, sub := range f.Subscriptions {
			ok, err := exists("teams", "team", sub.Team)
			if err != nil {
				return err
			}
			if !ok {
				return missing(sub.Line, "team", "team", sub.Team)
			}
			// A file without prices keeps the prices stored.
			price := ""
			if f.Columns["price"] || f.Columns["currency"] || f.Columns["term"] {
				price = ", price_milli = excluded.price_milli, currency = excluded.currency, term = excluded.term"
			}
			var milli any
			if sub.PriceMilli >= 0 {
				milli = sub.PriceMilli
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (subscription, team, product, type, seats, channel, start_on, end_on, price_milli, currency, term)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (subscription) DO UPDATE SET team = excluded.team, product = excluded.product, type = excluded.type,
				seats = excluded.seats, channel = excluded.channel, start_on = excluded.start_on, end_on = excluded.end_on`+price,
				sub.Subscription, sub.Team, sub.Product, sub.Type, sub.Seats, sub.Channel, sub.Start, sub.End, milli, sub.Currency, sub.Term); err != nil {
				return fmt.Errorf("line %d: %w", sub.Line, err)
			}
		}
	case license.KindAssignments:
		for _, a := range f.Assignments {
			for _, c := range []struct{ table, col, what, val string }{
				{"subscriptions", "subscription", "subscription", a.Subscription},
				{"users", "email", "user", a.Email},
			} {
				ok, err := exists(c.table, c.col, c.val)
				if err != nil {
					return err
				}
				if !ok {
					return missing(a.Line, c.col, c.what, c.val)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO assignments (subscription, email, assigned_on) VALUES (?, ?, ?)
				ON CONFLICT (subscription, email) DO UPDATE SET assigned_on = excluded.assigned_on`,
				a.Subscription, a.Email, a.AssignedOn); err != nil {
				return fmt.Errorf("line %d: %w", a.Line, err)
			}
		}
	default:
		return fmt.Errorf("unknown kind %q", f.Kind)
	}
	return nil
}
