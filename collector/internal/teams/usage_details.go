package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"teamlens/collector/internal/store"
)

// UsageFilter selects, orders and pages usage details.
type UsageFilter = store.UsageFilter

// UsageDetails is a team's usage details of a day as one admin sees them,
// stored so that pages and downloads filter, sort, count and page them in
// SQL, whatever the number of users.
type UsageDetails struct {
	Day                                  string
	Total                                int // rows of the team
	Products, Subscriptions, Departments []string
	Activity                             *Activity

	st          *store.Store
	team, scope string
}

// Count counts the rows f keeps.
func (d *UsageDetails) Count(ctx context.Context, f UsageFilter) (int, error) {
	return d.st.CountUsage(ctx, d.team, d.scope, f)
}

// Each calls fn with each row f keeps, in its order and page, as they are
// read; inactive says the row is an inactive-user finding of the day.
func (d *UsageDetails) Each(ctx context.Context, f UsageFilter, fn func(r UsageRow, inactive bool) error) error {
	return d.st.EachUsage(ctx, d.team, d.scope, f, fn)
}

// UsageDetails returns team's usage details of day (default today) as who
// sees them. They are computed from the usage, the license picture and the
// day's snapshot (computed first when missing) and kept, and computed
// again once any of these changed.
func (s *Service) UsageDetails(ctx context.Context, who store.Admin, team, day string) (*UsageDetails, error) {
	g, day, err := s.readDay(who, team, day)
	if err != nil {
		return nil, err
	}
	scope := scopeOf(g)
	stamp, err := s.usageStamp(ctx, who, g, team, day)
	if err != nil {
		return nil, err
	}
	set, err := s.cfg.Store.UsageSet(ctx, team, scope)
	if errors.Is(err, store.ErrNotFound) || err == nil && (set.AsOf != day || set.Stamp != stamp) {
		err = s.cfg.Store.WithLock(ctx, store.UsageLockKey, func(ctx context.Context) error {
			set, err = s.cfg.Store.UsageSet(ctx, team, scope)
			if err == nil && set.AsOf == day && set.Stamp == stamp {
				return nil
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			set, err = s.computeUsageSet(ctx, who, team, scope, day, stamp)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	act := &Activity{}
	if err := json.Unmarshal(set.Activity, act); err != nil {
		return nil, fmt.Errorf("usage details of %s: %w", team, err)
	}
	return &UsageDetails{Day: day, Total: set.Total, Products: set.Products, Subscriptions: set.Subscriptions,
		Departments: set.Departments, Activity: act, st: s.cfg.Store, team: team, scope: scope}, nil
}

// usageStamp says what team's usage details of day as g sees them depend
// on: the store's stamp, the day's snapshot (its inactive users) and the
// subscriptions hidden from g.
func (s *Service) usageStamp(ctx context.Context, who store.Admin, g store.Grant, team, day string) (string, error) {
	base, err := s.cfg.Store.UsageStamp(ctx, day)
	if err != nil {
		return "", err
	}
	snap, err := s.cfg.Store.SnapshotStamp(ctx, team, day)
	if errors.Is(err, store.ErrNotFound) {
		if _, err = s.Snapshot(ctx, who, team, day); err == nil {
			snap, err = s.cfg.Store.SnapshotStamp(ctx, team, day)
		}
	}
	if err != nil {
		return "", err
	}
	hidden, err := s.hidden(ctx, g, team)
	if err != nil {
		return "", err
	}
	return base + " snapshot " + snap + " hidden " + strings.Join(sortedSet(hidden), ","), nil
}

// computeUsageSet computes and stores team's usage set of day.
func (s *Service) computeUsageSet(ctx context.Context, who store.Admin, team, scope, day, stamp string) (store.UsageSet, error) {
	rows, _, err := s.Usage(ctx, who, team, day)
	if err != nil {
		return store.UsageSet{}, err
	}
	snap, err := s.Snapshot(ctx, who, team, day)
	if err != nil {
		return store.UsageSet{}, err
	}
	inactive := map[string]bool{}
	for _, u := range snap.Insights.InactiveUser {
		inactive[u.Product+"|"+u.User] = true
	}
	act, err := s.Activity(ctx, who, team, day)
	if err != nil {
		return store.UsageSet{}, err
	}
	actJSON, err := json.Marshal(act)
	if err != nil {
		return store.UsageSet{}, err
	}
	products, subs, depts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		products[r.Product] = true
		for _, x := range r.Subscriptions {
			subs[x] = true
		}
		if r.Department != "" {
			depts[r.Department] = true
		}
	}
	set := store.UsageSet{Team: team, Scope: scope, AsOf: day, Stamp: stamp, Total: len(rows),
		Products: sortedSet(products), Subscriptions: sortedSet(subs), Departments: sortedSet(depts), Activity: actJSON}
	if err := s.cfg.Store.PutUsageSet(ctx, set, rows, inactive); err != nil {
		return store.UsageSet{}, err
	}
	return set, nil
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// readDay checks that who may read team and day, today when "".
func (s *Service) readDay(who store.Admin, team, day string) (store.Grant, string, error) {
	g, err := s.grant(who, team, needRead)
	if err != nil {
		return g, "", err
	}
	if err := asOf(day); err != nil {
		return g, "", err
	}
	if day == "" {
		day = s.Today()
	}
	return g, day, nil
}

// scopeOf names what g's admin sees of a team: all of it, or without the
// subscriptions hidden from who may not purchase.
func scopeOf(g store.Grant) string {
	if g.CanPurchase {
		return "all"
	}
	return "seats"
}
