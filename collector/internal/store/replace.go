package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"teamlens/collector/internal/license"
	"teamlens/internal/sqlrun"
)

// ImportSummary counts what an import did, by row key.
type ImportSummary struct {
	Added, Changed, Removed, Unchanged int
}

func (s ImportSummary) String() string {
	return fmt.Sprintf("%d added, %d changed, %d removed, %d unchanged", s.Added, s.Changed, s.Removed, s.Unchanged)
}

// replaceSpec says how one kind's rows are keyed and compared, and what
// removing a row takes with it.
type replaceSpec struct {
	current string // SELECT key, value
	// remove deletes one key; the assignments of a removed user or
	// subscription go first, since a seat of nobody means nothing.
	remove []string
}

var replaceSpecs = map[string]replaceSpec{
	license.KindTeams: {
		current: `SELECT team, name || '|' || plan || '|' || user_management FROM teams`,
		remove:  []string{`DELETE FROM admin_roles WHERE team = ?`, `DELETE FROM teams WHERE team = ?`},
	},
	license.KindUsers: {
		current: `SELECT email, login || '|' || name FROM users`,
		remove:  []string{`DELETE FROM assignments WHERE email = ?`, `DELETE FROM users WHERE email = ?`},
	},
	license.KindSubscriptions: {
		current: `SELECT subscription, team || '|' || product || '|' || type || '|' || CAST(seats AS TEXT) || '|' || channel || '|' || start_on || '|' || end_on FROM subscriptions`,
		remove:  []string{`DELETE FROM assignments WHERE subscription = ?`, `DELETE FROM subscriptions WHERE subscription = ?`},
	},
	license.KindAssignments: {
		current: `SELECT subscription || ' ' || email, assigned_on FROM assignments`,
		remove:  []string{`DELETE FROM assignments WHERE subscription || ' ' || email = ?`},
	},
}

// rowValues returns each row of f by the same key and value as the
// kind's replaceSpec.current.
func rowValues(f *license.File) map[string]string {
	out := map[string]string{}
	for _, t := range f.Teams {
		out[t.Team] = strings.Join([]string{t.Name, t.Plan, t.UserManagement}, "|")
	}
	for _, u := range f.Users {
		out[u.Email] = u.Login + "|" + u.Name
	}
	for _, x := range f.Subscriptions {
		out[x.Subscription] = strings.Join([]string{x.Team, x.Product, x.Type, strconv.FormatInt(x.Seats, 10), x.Channel, x.Start, x.End}, "|")
	}
	for _, a := range f.Assignments {
		out[a.Subscription+" "+a.Email] = a.AssignedOn
	}
	return out
}

// ImportReplace makes f the whole truth for its kind in one transaction:
// its rows are added or updated and every row absent from it is removed.
// A team that still has subscriptions cannot be removed; any failure leaves
// the database as it was.
func (s *Store) ImportReplace(ctx context.Context, f *license.File) (ImportSummary, error) {
	spec, ok := replaceSpecs[f.Kind]
	if !ok {
		return ImportSummary{}, fmt.Errorf("unknown kind %q", f.Kind)
	}
	var sum ImportSummary
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		sum = ImportSummary{}
		current := map[string]string{}
		err := sqlrun.Each(ctx, tx, spec.current, nil, func(r *sql.Rows) error {
			var k, v string
			if err := r.Scan(&k, &v); err != nil {
				return err
			}
			current[k] = v
			return nil
		})
		if err != nil {
			return fmt.Errorf("read %s: %w", f.Kind, err)
		}
		want := rowValues(f)
		for k, v := range want {
			old, ok := current[k]
			switch {
			case !ok:
				sum.Added++
			case old != v:
				sum.Changed++
			default:
				sum.Unchanged++
			}
		}
		if err := importRows(ctx, tx, f); err != nil {
			return err
		}
		for k := range current {
			if _, keep := want[k]; keep {
				continue
			}
			if err := removeRow(ctx, tx, f.Kind, spec, k); err != nil {
				return err
			}
			sum.Removed++
		}
		if sum.Removed > 0 {
			if err := forgetUsageDetails(ctx, tx); err != nil {
				return err
			}
		}
		return bumpLicense(ctx, tx)
	})
	return sum, err
}

func removeRow(ctx context.Context, tx *sql.Tx, kind string, spec replaceSpec, key string) error {
	if kind == license.KindTeams {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscriptions WHERE team = ?`, key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("team %q is not in the file but still has %d subscriptions: replace the subscriptions first", key, n)
		}
	}
	for _, q := range spec.remove {
		if _, err := tx.ExecContext(ctx, q, key); err != nil {
			return fmt.Errorf("remove %s %q: %w", kind, key, err)
		}
	}
	return nil
}
