package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
)

// Department names of cost rows that are no department of a user.
const (
	DepartmentUnassigned = "unassigned" // seats nobody holds
	DepartmentNone       = "(none)"     // users without a department
)

// CostRow is one department, product and subscription of a team's spend:
// a subscription's yearly cost split by its assigned seats.
type CostRow struct {
	Department     string   `json:"department"`
	Product        string   `json:"product"`
	Subscription   string   `json:"subscription"`
	Seats          int64    `json:"seats"`
	YearlyCost     *float64 `json:"yearly_cost"`      // null when unpriced
	IdleYearlyCost *float64 `json:"idle_yearly_cost"` // of seats unused in the window
	Currency       string   `json:"currency"`         // "" when unpriced
}

// Total is the spend of a team in one currency: totals are never summed
// across currencies.
type Total struct {
	Currency       string  `json:"currency"`
	Seats          int64   `json:"seats"`
	YearlyCost     float64 `json:"yearly_cost"`
	IdleYearlyCost float64 `json:"idle_yearly_cost"`
}

// Cost is GET /v1/teams/{team}/cost.
type Cost struct {
	Team   string    `json:"team"`
	AsOf   string    `json:"as_of"`
	Rows   []CostRow `json:"rows"`
	Totals []Total   `json:"totals"`
	// Unpriced counts the seats of subscriptions without a price.
	Unpriced int64 `json:"unpriced_seats"`
}

// Cost returns team's spend on day (default today) by department, product
// and subscription, of the subscriptions running that day. A seat is idle
// when its user has no usage day of the product in the 90 days ending on
// day; unassigned seats are idle.
//
// The cost is kept per team and scope of admins, and computed again when
// the usage, the license picture or what the admin may see changed.
func (s *Service) Cost(ctx context.Context, who store.Admin, team, day string) (*Cost, error) {
	g, day, err := s.readDay(who, team, day)
	if err != nil {
		return nil, err
	}
	hidden, err := s.hidden(ctx, g, team)
	if err != nil {
		return nil, err
	}
	stamp, err := s.cfg.Store.UsageStamp(ctx, day)
	if err != nil {
		return nil, err
	}
	stamp += " hidden " + strings.Join(sortedSet(hidden), ",")
	scope := scopeOf(g)
	if body, err := s.cfg.Store.CachedCost(ctx, team, scope, day, stamp); err == nil {
		c := &Cost{}
		if err := json.Unmarshal(body, c); err == nil {
			return c, nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	c, err := s.cost(ctx, team, day, hidden)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Store.PutCachedCost(ctx, team, scope, day, stamp, body); err != nil {
		return nil, err
	}
	return c, nil
}

// cost computes team's cost on day without the subscriptions hidden.
func (s *Service) cost(ctx context.Context, team, day string, hidden map[string]bool) (*Cost, error) {
	subs, err := s.cfg.Store.TeamSubscriptions(ctx, team)
	if err != nil {
		return nil, err
	}
	from, _ := insights.WindowStart(day)
	counts, err := s.cfg.Store.SeatCounts(ctx, team, from, day)
	if err != nil {
		return nil, err
	}
	held := map[string][]store.SeatCount{}
	for _, c := range counts {
		held[c.Subscription] = append(held[c.Subscription], c)
	}
	out := &Cost{Team: team, AsOf: day, Rows: []CostRow{}, Totals: []Total{}}
	type key struct{ department, subscription string }
	rows := map[key]*CostRow{}
	add := func(x license.Subscription, dept string, seats, idle int64) {
		k := key{dept, x.Subscription}
		r := rows[k]
		if r == nil {
			r = &CostRow{Department: dept, Product: x.Product, Subscription: x.Subscription}
			if x.Priced() {
				r.Currency, r.YearlyCost, r.IdleYearlyCost = x.Currency, new(float64), new(float64)
			}
			rows[k] = r
		}
		r.Seats += seats
		if x.Priced() {
			*r.YearlyCost += float64(seats) * x.SeatYearlyMilli()
			*r.IdleYearlyCost += float64(idle) * x.SeatYearlyMilli()
		}
	}
	for _, x := range subs {
		if !x.ActiveOn(day) || hidden[x.Subscription] {
			continue
		}
		var n int64
		for _, c := range held[x.Subscription] {
			dept := c.Department
			if dept == "" {
				dept = DepartmentNone
			}
			add(x, dept, c.Seats, c.Idle)
			n += c.Seats
		}
		if n < x.Seats {
			add(x, DepartmentUnassigned, x.Seats-n, x.Seats-n)
		}
	}
	totals := map[string]*Total{}
	for _, r := range rows {
		if r.Currency == "" {
			out.Unpriced += r.Seats
		} else {
			*r.YearlyCost, *r.IdleYearlyCost = insights.Amount(*r.YearlyCost), insights.Amount(*r.IdleYearlyCost)
			t := totals[r.Currency]
			if t == nil {
				t = &Total{Currency: r.Currency}
				totals[r.Currency] = t
			}
			t.Seats += r.Seats
			t.YearlyCost += *r.YearlyCost
			t.IdleYearlyCost += *r.IdleYearlyCost
		}
		out.Rows = append(out.Rows, *r)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a.Department != b.Department {
			return a.Department < b.Department
		}
		if a.Product != b.Product {
			return a.Product < b.Product
		}
		return a.Subscription < b.Subscription
	})
	for _, c := range sortedKeys(totals) {
		t := totals[c]
		t.YearlyCost, t.IdleYearlyCost = insights.Amount(t.YearlyCost*1000), insights.Amount(t.IdleYearlyCost*1000)
		out.Totals = append(out.Totals, *t)
	}
	return out, nil
}

// SetPrice sets the price of one seat of team's subscription for one term
// (price "" removes it); primary admins with purchase permission only, and
// audited.
func (s *Service) SetPrice(ctx context.Context, who store.Admin, team, subscription, price, currency, term string) error {
	g, err := s.grant(who, team, needManage)
	if err != nil {
		return err
	}
	if !g.CanPurchase {
		return fmt.Errorf("setting a price needs purchase permission on team %s: %w", team, ErrForbidden)
	}
	if term == "" {
		term = "annual"
	}
	if _, ok := license.Terms[term]; !ok {
		return fmt.Errorf("term %q is not monthly, annual or 3-year: %w", term, ErrInvalid)
	}
	milli := int64(-1)
	if price != "" {
		if milli, err = license.ParseMoney(price); err != nil {
			return fmt.Errorf("price: %v: %w", err, ErrInvalid)
		}
		if !license.ValidCurrency(currency) {
			return fmt.Errorf("currency %q is not an ISO 4217 code such as EUR: %w", currency, ErrInvalid)
		}
	}
	c := store.Change{Team: team, Subscription: subscription, Actor: who.Email}
	if err := s.cfg.Store.SetPrice(ctx, c, milli, currency, term, s.cfg.Now()); err != nil {
		return err
	}
	s.cfg.Logger.Info("price set", "team", team, "subscription", subscription, "by", who.Email)
	return s.recompute(ctx, team)
}

// CostCSVHeader is the header of cost.csv.
func CostCSVHeader() []string {
	return []string{"department", "product", "subscription", "seats", "yearly_cost", "idle_yearly_cost", "currency"}
}

// CostCSV returns the rows of cost.csv, unescaped.
func CostCSV(c *Cost) [][]string {
	out := make([][]string, 0, len(c.Rows))
	amount := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 2, 64)
	}
	for _, r := range c.Rows {
		out = append(out, []string{r.Department, r.Product, r.Subscription, strconv.FormatInt(r.Seats, 10),
			amount(r.YearlyCost), amount(r.IdleYearlyCost), r.Currency})
	}
	return out
}

// History is GET /v1/teams/{team}/history.
type History struct {
	Team string          `json:"team"`
	From string          `json:"from"`
	To   string          `json:"to"`
	Rows []store.SeatDay `json:"rows"`
}

// History returns team's seat history in [from, to] (default the year
// ending today), one row per subscription and day the collector recorded.
func (s *Service) History(ctx context.Context, who store.Admin, team, from, to string) (*History, error) {
	g, err := s.grant(who, team, needRead)
	if err != nil {
		return nil, err
	}
	if to == "" {
		to = s.Today()
	}
	if err := asOf(from); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := asOf(to); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if from == "" {
		t, _ := time.Parse(license.DateLayout, to)
		from = t.AddDate(-1, 0, 1).Format(license.DateLayout)
	}
	if from > to {
		return nil, fmt.Errorf("from %s is after to %s: %w", from, to, ErrInvalid)
	}
	rows, err := s.cfg.Store.SeatHistory(ctx, team, from, to)
	if err != nil {
		return nil, err
	}
	hidden, err := s.hidden(ctx, g, team)
	if err != nil {
		return nil, err
	}
	out := &History{Team: team, From: from, To: to, Rows: []store.SeatDay{}}
	for _, r := range rows {
		if !hidden[r.Subscription] {
			out.Rows = append(out.Rows, r)
		}
	}
	return out, nil
}

// Savings sums, per currency, what the priced findings of a snapshot
// could save a year: unassigned seats and inactive users' seats.
func Savings(snap *insights.Snapshot) map[string]float64 {
	out := map[string]float64{}
	for _, x := range snap.Insights.UnderAssignment {
		if x.YearlySaving != nil {
			out[x.Currency] += *x.YearlySaving
		}
	}
	for _, x := range snap.Insights.InactiveUser {
		if x.YearlySaving != nil {
			out[x.Currency] += *x.YearlySaving
		}
	}
	for c, v := range out {
		out[c] = insights.Amount(v * 1000)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
