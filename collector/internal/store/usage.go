package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"teamlens/collector/internal/license"
)

// UsageRow is one team user and product of the usage details: assigned on
// one of the team's subscriptions, or used in the window.
type UsageRow struct {
	Email         string
	Login         string
	Name          string
	Department    string
	Product       string
	DaysUsed      int64  // distinct days in the window
	LastUsed      string // last usage day on or before as_of; "" never
	Versions      []string
	AssignedOn    string   // earliest assignment of the product; "" used without one
	Subscriptions []string // the team's subscriptions of the product the user holds
	// Devices reported the user's login in the window (any product), most
	// days first: a device reporting someone it should not stands out.
	Devices []UserDevice
}

// UsageSet describes the stored usage details of a team as one scope of
// admins sees them, for one day.
type UsageSet struct {
	Team, Scope, AsOf string
	Stamp             string // what the rows were computed from; see UsageStamp
	Total             int
	Products          []string
	Subscriptions     []string
	Departments       []string
	Activity          []byte // the usage charts, as the caller encoded them
}

// UsageFilter selects, orders and pages stored usage rows. Sort is one of
// email, product, days, last, assigned; ties go by email, then product.
type UsageFilter struct {
	Product, Subscription, Department string
	Q                                 string // in the email, name or login, case-insensitively
	Inactive                          bool
	Sort                              string
	Desc                              bool
	Offset, Limit                     int // Limit 0: every row
}

var usageSortColumns = map[string]string{
	"email":    "email",
	"product":  "product",
	"days":     "days_used",
	"last":     "last_used",
	"assigned": "assigned_on",
}

// UsageStamp is what a team's usage details of day are computed from:
// the usage up to day, the license picture and the devices. Rows stored
// under another stamp are out of date.
func (s *Store) UsageStamp(ctx context.Context, day string) (string, error) {
	gen, err := s.UsageGeneration(ctx, day)
	if err != nil {
		return "", err
	}
	var lic, devices, revoked int64
	err = s.db.QueryRowContext(ctx, `SELECT (SELECT gen FROM license_generation WHERE id = 1),
		(SELECT COUNT(*) FROM devices), (SELECT COUNT(revoked_at) FROM devices)`).Scan(&lic, &devices, &revoked)
	if err != nil {
		return "", fmt.Errorf("usage stamp: %w", err)
	}
	return fmt.Sprintf("usage %d license %d devices %d/%d", gen, lic, devices, revoked), nil
}

// bumpLicense records, inside a license change's transaction, that the
// picture changed. It runs after the change's own writes, so transactions
// take their locks in one order.
func bumpLicense(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE license_generation SET gen = gen + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("license generation: %w", err)
	}
	return nil
}

// forgetUsageDetails drops every stored usage set, inside an import that
// removes rows: a person removed from the directory leaves no name or
// email behind in them.
func forgetUsageDetails(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{`DELETE FROM usage_details`, `DELETE FROM usage_detail_sets`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("forget usage details: %w", err)
		}
	}
	return nil
}

// SnapshotStamp returns when team's snapshot of asOf was computed;
// ErrNotFound when it was not.
func (s *Store) SnapshotStamp(ctx context.Context, team, asOf string) (string, error) {
	var at string
	err := s.db.QueryRowContext(ctx, `SELECT generated_at FROM snapshots WHERE team = ? AND as_of = ?`, team, asOf).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("snapshot stamp: %w", err)
	}
	return at, nil
}

// UsageSet returns the stored usage set of team and scope; ErrNotFound
// when there is none.
func (s *Store) UsageSet(ctx context.Context, team, scope string) (UsageSet, error) {
	set := UsageSet{Team: team, Scope: scope}
	var products, subs, depts, activity string
	err := s.db.QueryRowContext(ctx, `SELECT as_of, stamp, total, products, subscriptions, departments, activity
		FROM usage_detail_sets WHERE team = ? AND scope = ?`, team, scope).
		Scan(&set.AsOf, &set.Stamp, &set.Total, &products, &subs, &depts, &activity)
	if errors.Is(err, sql.ErrNoRows) {
		return set, ErrNotFound
	}
	if err != nil {
		return set, fmt.Errorf("usage set: %w", err)
	}
	set.Activity = []byte(activity)
	for _, x := range []struct {
		text string
		out  *[]string
	}{{products, &set.Products}, {subs, &set.Subscriptions}, {depts, &set.Departments}} {
		if err := json.Unmarshal([]byte(x.text), x.out); err != nil {
			return set, fmt.Errorf("usage set: %w", err)
		}
	}
	return set, nil
}

// PutUsageSet replaces the stored usage set of set.Team and set.Scope
// with set and its rows, in one transaction; inactive holds the
// "product|email" of the inactive users.
func (s *Store) PutUsageSet(ctx context.Context, set UsageSet, rows []UsageRow, inactive map[string]bool) error {
	lists := make([]string, 3)
	for i, l := range [][]string{set.Products, set.Subscriptions, set.Departments} {
		b, _ := json.Marshal(nonNil(l))
		lists[i] = string(b)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM usage_details WHERE team = ? AND scope = ?`, set.Team, set.Scope); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM usage_detail_sets WHERE team = ? AND scope = ?`, set.Team, set.Scope); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO usage_detail_sets (team, scope, as_of, stamp, total, products, subscriptions, departments, activity)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, set.Team, set.Scope, set.AsOf, set.Stamp, len(rows), lists[0], lists[1], lists[2], string(set.Activity)); err != nil {
			return err
		}
		const cols = 15
		args := make([]any, 0, cols*len(rows))
		for _, r := range rows {
			subs, _ := json.Marshal(nonNil(r.Subscriptions))
			versions, _ := json.Marshal(nonNil(r.Versions))
			devices, _ := json.Marshal(nonNil(r.Devices))
			in := int64(0)
			if inactive[r.Product+"|"+r.Email] {
				in = 1
			}
			search := strings.ToLower(r.Email) + "\n" + strings.ToLower(r.Name) + "\n" + strings.ToLower(r.Login)
			args = append(args, set.Team, set.Scope, r.Email, r.Product, r.Login, r.Name, r.Department, r.DaysUsed, r.LastUsed, r.AssignedOn,
				in, string(subs), string(versions), string(devices), search)
		}
		p := &preparedTx{Tx: tx, stmts: map[string]*sql.Stmt{}}
		return p.execRows(ctx, `INSERT INTO usage_details (team, scope, email, product, login, name, department, days_used, last_used, assigned_on,
			inactive, subscriptions, versions, devices, search)`, cols, "", args)
	})
	if err != nil {
		return fmt.Errorf("store usage details of %s: %w", set.Team, err)
	}
	return nil
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// contains is the SQL of "haystack contains the argument", case-sensitive
// on both engines (LIKE is not in SQLite, and would need escaping).
func (s *Store) contains(haystack string) string {
	if s.postgres {
		return "strpos(" + haystack + ", ?) > 0"
	}
	return "instr(" + haystack + ", ?) > 0"
}

// usageWhere returns the WHERE clause of f over a usage set and its
// arguments.
func (s *Store) usageWhere(team, scope string, f UsageFilter) (string, []any) {
	where := []string{"team = ?", "scope = ?"}
	args := []any{team, scope}
	for _, c := range []struct{ col, val string }{{"product", f.Product}, {"department", f.Department}} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	if f.Subscription != "" {
		b, _ := json.Marshal(f.Subscription)
		where = append(where, s.contains("subscriptions"))
		args = append(args, string(b))
	}
	if f.Q != "" {
		where = append(where, s.contains("search"))
		args = append(args, strings.ToLower(f.Q))
	}
	if f.Inactive {
		where = append(where, "inactive = 1")
	}
	return strings.Join(where, " AND "), args
}

// CountUsage counts the stored usage rows of team and scope that f keeps.
func (s *Store) CountUsage(ctx context.Context, team, scope string, f UsageFilter) (int, error) {
	where, args := s.usageWhere(team, scope, f)
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM usage_details WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count usage details: %w", err)
	}
	return n, nil
}

// EachUsage calls fn for each stored usage row of team and scope that f
// keeps, in f's order and page, as the rows are read.
func (s *Store) EachUsage(ctx context.Context, team, scope string, f UsageFilter, fn func(r UsageRow, inactive bool) error) error {
	where, args := s.usageWhere(team, scope, f)
	col, ok := usageSortColumns[f.Sort]
	if !ok {
		col = "email"
	}
	order := col
	if f.Desc {
		order += " DESC"
	}
	if col != "email" {
		order += ", email"
	}
	if col != "product" {
		order += ", product"
	}
	query := `SELECT email, product, login, name, department, days_used, last_used, assigned_on, inactive, subscriptions, versions, devices
		FROM usage_details WHERE ` + where + ` ORDER BY ` + order
	if f.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	err := s.each(ctx, query, args, func(rs *sql.Rows) error {
		var r UsageRow
		var inactive int64
		var subs, versions, devices string
		if err := rs.Scan(&r.Email, &r.Product, &r.Login, &r.Name, &r.Department, &r.DaysUsed, &r.LastUsed, &r.AssignedOn,
			&inactive, &subs, &versions, &devices); err != nil {
			return err
		}
		for _, x := range []struct {
			text string
			out  any
		}{{subs, &r.Subscriptions}, {versions, &r.Versions}, {devices, &r.Devices}} {
			if err := json.Unmarshal([]byte(x.text), x.out); err != nil {
				return err
			}
		}
		if len(r.Versions) == 0 {
			r.Versions = nil
		}
		if len(r.Devices) == 0 {
			r.Devices = nil
		}
		if len(r.Subscriptions) == 0 {
			r.Subscriptions = nil
		}
		return fn(r, inactive == 1)
	})
	if err != nil {
		return fmt.Errorf("read usage details: %w", err)
	}
	return nil
}

// UsageLockKey guards the computing of a usage set, so replicas asked for
// the same team at once compute it once.
const UsageLockKey = 0x7465616d6c656e04

// SeatCount counts the seats of one subscription held on a day by the
// users of one department, and how many of them are idle: their user has
// no usage day of the subscription's product in the window.
type SeatCount struct {
	Subscription, Department string
	Seats, Idle              int64
}

// SeatCounts counts the seats of team's subscriptions assigned on or
// before to, per subscription and department, idle when the user has no
// usage of the product in [from, to]. It reads each login's reach
// (login_products), and usage rows only of the pairs whose reach goes past
// to: a few rows per seat instead of every usage day of the window.
func (s *Store) SeatCounts(ctx context.Context, team, from, to string) ([]SeatCount, error) {
	var out []SeatCount
	err := s.each(ctx, `SELECT a.subscription, u.department, COUNT(*),
			SUM(CASE WHEN EXISTS (SELECT 1 FROM login_products lp
				WHERE lp.login = u.login_key AND lp.product = x.product AND lp.last_day >= ? AND lp.first_day <= ?
					AND (lp.last_day <= ? OR EXISTS (SELECT 1 FROM usage_days d
						WHERE d.login = lp.login AND d.product = lp.product AND d.day >= ? AND d.day <= ?)))
				THEN 0 ELSE 1 END)
		FROM assignments a JOIN subscriptions x ON x.subscription = a.subscription JOIN users u ON u.email = a.email
		WHERE x.team = ? AND a.assigned_on <= ?
		GROUP BY a.subscription, u.department`, []any{from, to, to, from, to, team, to}, func(r *sql.Rows) error {
		var c SeatCount
		if err := r.Scan(&c.Subscription, &c.Department, &c.Seats, &c.Idle); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seat counts: %w", err)
	}
	return out, nil
}

// TeamSubscriptions returns team's subscriptions, by id.
func (s *Store) TeamSubscriptions(ctx context.Context, team string) ([]license.Subscription, error) {
	var out []license.Subscription
	err := s.each(ctx, `SELECT subscription, team, product, type, seats, channel, start_on, end_on, COALESCE(price_milli, -1), currency, term
		FROM subscriptions WHERE team = ? ORDER BY subscription`, []any{team}, func(r *sql.Rows) error {
		var x license.Subscription
		if err := r.Scan(&x.Subscription, &x.Team, &x.Product, &x.Type, &x.Seats, &x.Channel, &x.Start, &x.End, &x.PriceMilli, &x.Currency, &x.Term); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("subscriptions of %s: %w", team, err)
	}
	return out, nil
}

// CachedCost returns the kept cost of team and scope if it is of asOf and
// stamp; ErrNotFound else.
func (s *Store) CachedCost(ctx context.Context, team, scope, asOf, stamp string) ([]byte, error) {
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT body FROM cost_cache WHERE team = ? AND scope = ? AND as_of = ? AND stamp = ?`,
		team, scope, asOf, stamp).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("cached cost: %w", err)
	}
	return []byte(body), nil
}

// PutCachedCost keeps the cost of team and scope for asOf and stamp.
func (s *Store) PutCachedCost(ctx context.Context, team, scope, asOf, stamp string, body []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO cost_cache (team, scope, as_of, stamp, body) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (team, scope) DO UPDATE SET as_of = excluded.as_of, stamp = excluded.stamp, body = excluded.body`,
		team, scope, asOf, stamp, string(body))
	if err != nil {
		return fmt.Errorf("keep cost: %w", err)
	}
	return nil
}
