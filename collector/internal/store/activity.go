package store

import (
	"context"
	"database/sql"
	"fmt"
)

// DayUsers counts the distinct users of a product on one day.
type DayUsers struct {
	Day, Product string
	Users        int64
}

// VersionDays counts the user-days (distinct user and date) of a version.
type VersionDays struct {
	Product, Version string
	UserDays         int64
}

// Activity returns, for the users of team (those holding a seat of its
// subscriptions assigned on or before to) over [from, to], the distinct
// users per day and product and the user-days per product version: the
// console's charts.
func (s *Store) Activity(ctx context.Context, team, from, to string) ([]DayUsers, []VersionDays, error) {
	// The members in a subquery, not a list of arguments: a team of
	// 100,000 users is more than SQLite takes.
	in := `SELECT u.login_key FROM users u WHERE u.email IN (SELECT a.email FROM assignments a
		JOIN subscriptions x ON x.subscription = a.subscription WHERE x.team = ? AND a.assigned_on <= ?)`
	args := []any{from, to, team, to}
	var days []DayUsers
	err := s.each(ctx, `SELECT day, product, COUNT(DISTINCT login) FROM usage_days
		WHERE day >= ? AND day <= ? AND login IN (`+in+`) GROUP BY day, product ORDER BY day, product`, args, func(r *sql.Rows) error {
		var d DayUsers
		if err := r.Scan(&d.Day, &d.Product, &d.Users); err != nil {
			return err
		}
		days = append(days, d)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("daily users: %w", err)
	}
	var versions []VersionDays
	err = s.each(ctx, `SELECT product, version, COUNT(*) FROM
		(SELECT DISTINCT product, version, login, day FROM usage_days WHERE day >= ? AND day <= ? AND login IN (`+in+`)) x
		GROUP BY product, version ORDER BY product, version`, args, func(r *sql.Rows) error {
		var v VersionDays
		if err := r.Scan(&v.Product, &v.Version, &v.UserDays); err != nil {
			return err
		}
		versions = append(versions, v)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("version days: %w", err)
	}
	return days, versions, nil
}
