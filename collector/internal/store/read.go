package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/internal/sqlrun"
	"teamlens/shared/wire"
)

// Picture is the whole license picture. It is small (teams, seats, people),
// so the insight job reads it at once.
type Picture struct {
	Teams         []license.Team
	Users         []license.User
	Subscriptions []license.Subscription
	Assignments   []license.Assignment
}

// Picture reads the license picture, each list in key order.
func (s *Store) Picture(ctx context.Context) (*Picture, error) {
	p := &Picture{}
	err := s.each(ctx, `SELECT team, name, plan, user_management FROM teams ORDER BY team`, nil, func(r *sql.Rows) error {
		var t license.Team
		if err := r.Scan(&t.Team, &t.Name, &t.Plan, &t.UserManagement); err != nil {
			return err
		}
		p.Teams = append(p.Teams, t)
		return nil
	})
	if err == nil {
		err = s.each(ctx, `SELECT email, login, name, department FROM users ORDER BY email`, nil, func(r *sql.Rows) error {
			var u license.User
			if err := r.Scan(&u.Email, &u.Login, &u.Name, &u.Department); err != nil {
				return err
			}
			p.Users = append(p.Users, u)
			return nil
		})
	}
	if err == nil {
		err = s.each(ctx, `SELECT subscription, team, product, type, seats, channel, start_on, end_on, COALESCE(price_milli, -1), currency, term
			FROM subscriptions ORDER BY subscription`, nil,
			func(r *sql.Rows) error {
				var x license.Subscription
				if err := r.Scan(&x.Subscription, &x.Team, &x.Product, &x.Type, &x.Seats, &x.Channel, &x.Start, &x.End, &x.PriceMilli, &x.Currency, &x.Term); err != nil {
					return err
				}
				p.Subscriptions = append(p.Subscriptions, x)
				return nil
			})
	}
	if err == nil {
		err = s.each(ctx, `SELECT subscription, email, assigned_on FROM assignments ORDER BY subscription, email`, nil, func(r *sql.Rows) error {
			var a license.Assignment
			if err := r.Scan(&a.Subscription, &a.Email, &a.AssignedOn); err != nil {
				return err
			}
			p.Assignments = append(p.Assignments, a)
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("read license picture: %w", err)
	}
	return p, nil
}

func (s *Store) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	return sqlrun.Each(ctx, s.db, query, args, fn)
}

// UserProduct aggregates one matched directory user's use of one product.
// Stat sums are floating point: no stored row, however large, can make them
// overflow.
type UserProduct struct {
	Email, Product string
	Days           int64  // distinct usage days in the window
	LastUsed       string // last usage day on or before the window's end
	StartupSum     float64
	StartupCount   float64 // sums over the window of the startup_ms stat
	SaveSum        float64
	SaveCount      float64
}

// statSums returns the SQL of two sums, of a stat's sum and count columns,
// over the rows where cond holds and the stat obeys the wire contract
// (count >= 1, 0 <= sum <= count*limit). A row stored before the contract
// bounded stats is left out rather than allowed to skew or overflow. The
// division keeps count*limit from overflowing a BIGINT.
func statSums(stat string, limit int64, cond string) string {
	valid := fmt.Sprintf("%s AND %[2]s_count >= 1 AND %[2]s_sum >= 0 AND %[2]s_sum / %[3]d <= %[2]s_count", cond, stat, limit)
	return fmt.Sprintf("COALESCE(SUM(CASE WHEN %[1]s THEN CAST(%[2]s_sum AS DOUBLE PRECISION) END), 0), "+
		"COALESCE(SUM(CASE WHEN %[1]s THEN CAST(%[2]s_count AS DOUBLE PRECISION) END), 0)", valid, stat)
}

// loginEmails maps each login key to the directory users it matches.
// Aggregates are grouped by login in SQL and matched here: a join per usage
// row costs more than the whole aggregation.
func (s *Store) loginEmails(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	err := s.each(ctx, `SELECT login_key, email FROM users ORDER BY email`, nil, func(r *sql.Rows) error {
		var login, email string
		if err := r.Scan(&login, &email); err != nil {
			return err
		}
		out[login] = append(out[login], email)
		return nil
	})
	return out, err
}

// UserProducts aggregates, per matched user and product, the usage days
// in [from, to] and the last usage day on or before to.
func (s *Store) UserProducts(ctx context.Context, from, to string) ([]UserProduct, error) {
	return matched(ctx, s, "user products", `SELECT login, product,
			COUNT(DISTINCT CASE WHEN day >= ? THEN day END),
			MAX(day), `+statSums("startup", wire.MaxTimeMS, "day >= ?")+`, `+statSums("save", wire.MaxTimeMS, "day >= ?")+`
		FROM usage_days
		WHERE day <= ?
		GROUP BY login, product`, []any{from, from, from, from, from, to},
		func(r *sql.Rows, login *string, x *UserProduct) error {
			return r.Scan(login, &x.Product, &x.Days, &x.LastUsed, &x.StartupSum, &x.StartupCount, &x.SaveSum, &x.SaveCount)
		}, func(x *UserProduct) *string { return &x.Email })
}

// UserVersion counts one matched user's distinct usage days of one product
// version.
type UserVersion struct {
	Email, Product, Version string
	Days                    int64
}

// UserCommand totals one matched user's completed runs of a command.
type UserCommand struct {
	Email, Product, Command string
	Completed               int64
}

// matched runs an aggregate query whose first column is a usage login and
// returns a row for each directory user that login matches; usage of no
// known user is left out.
func matched[T any](ctx context.Context, s *Store, what, query string, args []any,
	scan func(r *sql.Rows, login *string, x *T) error, email func(*T) *string) ([]T, error) {
	emails, err := s.loginEmails(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var out []T
	err = s.each(ctx, query, args, func(r *sql.Rows) error {
		var x T
		var login string
		if err := scan(r, &login, &x); err != nil {
			return err
		}
		for _, e := range emails[login] {
			*email(&x) = e
			out = append(out, x)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// LoginStat sums one login's stats of a product.
type LoginStat struct {
	Login                string
	StartupSum, StartupN float64
	OpenSum, OpenN       float64
	SaveSum, SaveN       float64
}

// DirectoryVersion changes whenever the logins of the directory do: a
// cheap key for answers that count directory users only.
func (s *Store) DirectoryVersion(ctx context.Context) (string, error) {
	var n int64
	var max sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), MAX(login_key) FROM users`).Scan(&n, &max)
	if err != nil {
		return "", fmt.Errorf("directory: %w", err)
	}
	return fmt.Sprintf("%d %s", n, max.String), nil
}

// LoginStats sums, per login of a directory user, the startup, open and
// save stats of product in [from, to]; the benchmarks of My Insights.
func (s *Store) LoginStats(ctx context.Context, product, from, to string) ([]LoginStat, error) {
	var out []LoginStat
	err := s.each(ctx, `SELECT login, `+statSums("startup", wire.MaxTimeMS, "1 = 1")+`, `+
		statSums("open", wire.MaxTimeMS, "1 = 1")+`, `+statSums("save", wire.MaxTimeMS, "1 = 1")+`
		FROM usage_days WHERE product = ? AND day >= ? AND day <= ?
			AND login IN (SELECT login_key FROM users)
		GROUP BY login`, []any{product, from, to}, func(r *sql.Rows) error {
		var x LoginStat
		if err := r.Scan(&x.Login, &x.StartupSum, &x.StartupN, &x.OpenSum, &x.OpenN, &x.SaveSum, &x.SaveN); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("login stats: %w", err)
	}
	return out, nil
}

// UserProductVersions returns, per matched user and product, the distinct
// versions used in [from, to]; the usage export joins it with UserProducts.
func (s *Store) UserProductVersions(ctx context.Context, from, to string) (map[[2]string][]string, error) {
	emails, err := s.loginEmails(ctx)
	if err != nil {
		return nil, fmt.Errorf("user versions: %w", err)
	}
	out := map[[2]string][]string{}
	err = s.each(ctx, `SELECT DISTINCT login, product, version
		FROM usage_days
		WHERE day >= ? AND day <= ?
		ORDER BY login, product, version`, []any{from, to}, func(r *sql.Rows) error {
		var login, product, version string
		if err := r.Scan(&login, &product, &version); err != nil {
			return err
		}
		for _, e := range emails[login] {
			k := [2]string{e, product}
			out[k] = append(out[k], version)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("user versions: %w", err)
	}
	return out, nil
}

// SnapshotBody is a team's snapshot of a day, as JSON.
type SnapshotBody struct {
	Team, AsOf string
	Body       []byte
}

// PutSnapshots stores (or replaces) teams' insight snapshots in one
// transaction: a day's snapshots appear together.
func (s *Store) PutSnapshots(ctx context.Context, generated time.Time, snaps []SnapshotBody) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		p := &preparedTx{Tx: tx, stmts: map[string]*sql.Stmt{}}
		args := make([]any, 0, 4*len(snaps))
		for _, x := range snaps {
			args = append(args, x.Team, x.AsOf, stamp(generated), string(x.Body))
		}
		return p.execRows(ctx, `INSERT INTO snapshots (team, as_of, generated_at, body)`, 4,
			`ON CONFLICT (team, as_of) DO UPDATE SET generated_at = excluded.generated_at, body = excluded.body`, args)
	})
	if err != nil {
		return fmt.Errorf("store snapshots: %w", err)
	}
	return nil
}

// Snapshot returns a team's snapshot of asOf, or its latest one when asOf
// is empty; ErrNotFound when there is none.
func (s *Store) Snapshot(ctx context.Context, team, asOf string) ([]byte, error) {
	var body string
	var err error
	if asOf == "" {
		err = s.db.QueryRowContext(ctx, `SELECT body FROM snapshots WHERE team = ? ORDER BY as_of DESC LIMIT 1`, team).Scan(&body)
	} else {
		err = s.db.QueryRowContext(ctx, `SELECT body FROM snapshots WHERE team = ? AND as_of = ?`, team, asOf).Scan(&body)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return []byte(body), nil
}

// State reads a value of the job state, "" when unset.
func (s *Store) State(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM job_state WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// InitState returns the value of name, storing value first if it has none:
// of several replicas that start together, all get the first one stored.
func (s *Store) InitState(ctx context.Context, name, value string) (string, error) {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO job_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, value); err != nil {
		return "", err
	}
	return s.State(ctx, name)
}

// SetState writes a value of the job state.
func (s *Store) SetState(ctx context.Context, name, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO job_state (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return err
}
