package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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

// Activity returns, for the users of emails over [from, to], the distinct
// users per day and product and the user-days per product version: the
// console's charts.
func (s *Store) Activity(ctx context.Context, emails []string, from, to string) ([]DayUsers, []VersionDays, error) {
	logins, err := s.loginKeys(ctx, emails)
	if err != nil || len(logins) == 0 {
		return nil, nil, err
	}
	in := strings.TrimSuffix(strings.Repeat("?, ", len(logins)), ", ")
	args := append([]any{from, to}, logins...)
	var days []DayUsers
	err = s.each(ctx, `SELECT day, product, COUNT(DISTINCT login) FROM usage_days
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

// loginKeys returns the distinct login keys of the directory users emails.
func (s *Store) loginKeys(ctx context.Context, emails []string) ([]any, error) {
	want := map[string]bool{}
	for _, e := range emails {
		want[e] = true
	}
	seen := map[string]bool{}
	var out []any
	err := s.each(ctx, `SELECT email, login_key FROM users`, nil, func(r *sql.Rows) error {
		var email, key string
		if err := r.Scan(&email, &key); err != nil {
			return err
		}
		if want[email] && !seen[key] {
			seen[key] = true
			out = append(out, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("login keys: %w", err)
	}
	return out, nil
}
