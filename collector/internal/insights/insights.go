// Package insights computes the six Team Insights of docs/insights.md for every
// team and a day as_of, from per-user aggregates the store computes in SQL.
package insights

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

// WindowDays is the length of the insight window, which ends on as_of.
const WindowDays = 90

// MinUsers is how many users collector-wide must have data before
// performance quartiles are shown, so no one user's figures can be read off.
const MinUsers = 5

// A team's own product figures (its mean times, its command mix) need
// MinTeamUsers of its settled users with data: users assigned since before
// the window started. They are published rounded: means to MeanStepMS,
// command counts to CountStep, shares to ShareStep. docs/privacy.md says
// why.
const (
	MinTeamUsers = 5
	MeanStepMS   = 10
	CountStep    = 10
	ShareStep    = 0.001
)

// ReasonPremium is the reason a standard team lacks premium insights.
const ReasonPremium = "premium plan required"

// Snapshot is what GET /v1/teams/{team}/insights returns.
type Snapshot struct {
	Team        string        `json:"team"`
	AsOf        string        `json:"as_of"`
	GeneratedAt time.Time     `json:"generated_at"`
	Insights    Findings      `json:"insights"`
	Unavailable []Unavailable `json:"unavailable"`
}

// Unavailable says why a kind of insight is missing.
type Unavailable struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	// Product and Metric narrow a product_performance entry.
	Product string `json:"product,omitempty"`
	Metric  string `json:"metric,omitempty"`
}

// Money is what a finding of a priced subscription costs (License money):
// absent when the subscription has no price.
type Money struct {
	Currency     string   `json:"currency,omitempty"`
	MonthlyCost  *float64 `json:"monthly_cost,omitempty"`
	YearlySaving *float64 `json:"yearly_saving,omitempty"`
}

// UnderAssignment: an active subscription with seats nobody holds.
type UnderAssignment struct {
	Kind         string `json:"kind"`
	Subscription string `json:"subscription"`
	Product      string `json:"product"`
	Seats        int64  `json:"seats"`
	Assigned     int64  `json:"assigned"`
	Available    int64  `json:"available"`
	Money               // of the unassigned seats
}

// OverAssignment: an online subscription that ended with seats still
// assigned.
type OverAssignment struct {
	Kind         string   `json:"kind"`
	Subscription string   `json:"subscription"`
	Product      string   `json:"product"`
	EndedOn      string   `json:"ended_on"`
	Users        []string `json:"users"`
	// The cost of renewing for the users still assigned, when priced.
	Currency    string   `json:"currency,omitempty"`
	MonthlyCost *float64 `json:"monthly_cost,omitempty"`
	YearlyCost  *float64 `json:"yearly_cost,omitempty"`
}

// InactiveUser: a user holding a seat who has not used the product in the
// window.
type InactiveUser struct {
	Kind     string  `json:"kind"`
	Product  string  `json:"product"`
	User     string  `json:"user"`
	LastUsed *string `json:"last_used"`
	Money            // of the user's seat, if reclaimed
}

// ProductVersion: a version used on under 1% of the team's user-days.
type ProductVersion struct {
	Kind     string   `json:"kind"`
	Product  string   `json:"product"`
	Version  string   `json:"version"`
	DaysUsed int64    `json:"days_used"`
	Share    float64  `json:"share"`
	Users    []string `json:"users"`
}

// ProductPerformance places the team's users among the collector-wide
// quartiles of per-user mean startup or save time.
type ProductPerformance struct {
	Kind            string   `json:"kind"`
	Product         string   `json:"product"`
	Metric          string   `json:"metric"`
	P25             float64  `json:"p25"`
	P50             float64  `json:"p50"`
	P75             float64  `json:"p75"`
	UsersByQuartile [4]int   `json:"users_by_quartile"`
	TeamMeanMS      *float64 `json:"team_mean_ms"`
}

// CommandUsage compares the team's completed commands per category with
// every other team's.
type CommandUsage struct {
	Kind       string          `json:"kind"`
	Product    string          `json:"product"`
	Categories []CategoryShare `json:"categories"`
}

// CategoryShare is one category of CommandUsage.
type CategoryShare struct {
	Category  string  `json:"category"`
	Count     int64   `json:"count"`
	Share     float64 `json:"share"`
	PeerShare float64 `json:"peer_share"`
}

// Input is everything a computation reads.
type Input struct {
	AsOf     string // YYYY-MM-DD
	Picture  *store.Picture
	Products []store.UserProduct // window-aggregated, matched users only
	Versions []store.UserVersion
	Commands []store.UserCommand
	Catalog  *catalog.Catalog
}

// WindowStart returns the first day of the window ending on asOf.
func WindowStart(asOf string) (string, error) {
	t, err := time.Parse(license.DateLayout, asOf)
	if err != nil {
		return "", fmt.Errorf("as_of %q is not YYYY-MM-DD", asOf)
	}
	return t.AddDate(0, 0, -(WindowDays - 1)).Format(license.DateLayout), nil
}

// Load reads the input of as_of from the store's window aggregates.
func Load(ctx context.Context, st *store.Store, cat *catalog.Catalog, asOf string) (*Input, error) {
	from, err := WindowStart(asOf)
	if err != nil {
		return nil, err
	}
	in := &Input{AsOf: asOf, Catalog: cat}
	if in.Picture, err = st.Picture(ctx); err != nil {
		return nil, err
	}
	w, err := st.Window(ctx, from, asOf)
	if err != nil {
		return nil, err
	}
	in.Products, in.Versions, in.Commands = w.Products, w.Versions, w.Commands
	return in, nil
}

// Run computes and stores the snapshots of every team for as_of, and
// records the day's seat history.
func Run(ctx context.Context, st *store.Store, cat *catalog.Catalog, asOf string, now time.Time) ([]Snapshot, error) {
	in, err := Load(ctx, st, cat, asOf)
	if err != nil {
		return nil, err
	}
	snaps := Compute(in, now)
	if err := put(ctx, st, now, snaps...); err != nil {
		return nil, err
	}
	// The day's seat history goes with its snapshots (License money).
	return snaps, st.FillSeatHistory(ctx, asOf)
}

// RunTeam computes and stores the snapshot of one team for as_of, leaving
// every other team's snapshots as they are; store.ErrNotFound when the
// team does not exist.
func RunTeam(ctx context.Context, st *store.Store, cat *catalog.Catalog, team, asOf string, now time.Time) (Snapshot, error) {
	return runTeam(ctx, st, cat, team, asOf, now, nil)
}

// RefreshTeam is RunTeam after a license change: the license findings are
// computed again, but the team's product figures (product_performance,
// command_usage) stay those of the snapshot already stored for as_of, so
// that assigning or unassigning one person and reading again never shows
// what that person changed. Without a stored snapshot it is RunTeam.
func RefreshTeam(ctx context.Context, st *store.Store, cat *catalog.Catalog, team, asOf string, now time.Time) (Snapshot, error) {
	body, err := st.Snapshot(ctx, team, asOf)
	if errors.Is(err, store.ErrNotFound) {
		return RunTeam(ctx, st, cat, team, asOf, now)
	}
	if err != nil {
		return Snapshot{}, err
	}
	old, err := Decode(body)
	if err != nil {
		return Snapshot{}, err
	}
	return runTeam(ctx, st, cat, team, asOf, now, old)
}

func runTeam(ctx context.Context, st *store.Store, cat *catalog.Catalog, team, asOf string, now time.Time, keep *Snapshot) (Snapshot, error) {
	in, err := Load(ctx, st, cat, asOf)
	if err != nil {
		return Snapshot{}, err
	}
	for _, t := range in.Picture.Teams {
		if t.Team != team {
			continue
		}
		s := newComputation(in).team(t, now.UTC().Truncate(time.Second))
		if keep != nil {
			s.keepProductFigures(*keep)
		}
		return s, put(ctx, st, now, s)
	}
	return Snapshot{}, fmt.Errorf("team %q: %w", team, store.ErrNotFound)
}

// keepProductFigures replaces s's product figures, and the reasons they
// are missing, with old's.
func (s *Snapshot) keepProductFigures(old Snapshot) {
	product := func(kind string) bool { return kind == wire.KindProductPerformance || kind == wire.KindCommandUsage }
	s.Insights.ProductPerformance, s.Insights.CommandUsage = old.Insights.ProductPerformance, old.Insights.CommandUsage
	unavailable := []Unavailable{}
	for _, u := range s.Unavailable {
		if !product(u.Kind) {
			unavailable = append(unavailable, u)
		}
	}
	for _, u := range old.Unavailable {
		if product(u.Kind) {
			unavailable = append(unavailable, u)
		}
	}
	s.Unavailable = unavailable
}

func put(ctx context.Context, st *store.Store, now time.Time, snaps ...Snapshot) error {
	bodies := make([]store.SnapshotBody, 0, len(snaps))
	for _, s := range snaps {
		body, err := json.Marshal(s)
		if err != nil {
			return err
		}
		bodies = append(bodies, store.SnapshotBody{Team: s.Team, AsOf: s.AsOf, Body: body})
	}
	return st.PutSnapshots(ctx, now, bodies)
}

// Compute builds one snapshot per team. It is pure: same input, same
// output, apart from generatedAt.
func Compute(in *Input, generatedAt time.Time) []Snapshot {
	c := newComputation(in)
	out := make([]Snapshot, 0, len(in.Picture.Teams))
	for _, t := range in.Picture.Teams {
		out = append(out, c.team(t, generatedAt.UTC().Truncate(time.Second)))
	}
	return out
}

type computation struct {
	in           *Input
	windowStart  string
	subsByTeam   map[string][]license.Subscription
	assignsBySub map[string][]license.Assignment
	byUser       map[string]map[string]*store.UserProduct   // email -> product -> aggregate
	versions     map[string]map[string][]*store.UserVersion // product -> email -> rows
	// Completed commands per category: of each user, and of everyone.
	commands    map[string]map[string][]categoryCount // product -> email -> counts
	allCommands map[string]map[string]int64           // product -> category -> count
	perf        map[perfKey]*distribution
}

type perfKey struct{ product, metric string }

type categoryCount struct {
	category string
	n        int64
}

// distribution is the collector-wide per-user means of one product metric.
type distribution struct {
	means         map[string]float64 // email -> mean
	p25, p50, p75 float64
}

func newComputation(in *Input) *computation {
	ws, _ := WindowStart(in.AsOf)
	c := &computation{
		in: in, windowStart: ws,
		subsByTeam:   map[string][]license.Subscription{},
		assignsBySub: map[string][]license.Assignment{},
		byUser:       map[string]map[string]*store.UserProduct{},
		versions:     map[string]map[string][]*store.UserVersion{},
		commands:     map[string]map[string][]categoryCount{},
		allCommands:  map[string]map[string]int64{},
		perf:         map[perfKey]*distribution{},
	}
	for _, s := range in.Picture.Subscriptions {
		c.subsByTeam[s.Team] = append(c.subsByTeam[s.Team], s)
	}
	for _, a := range in.Picture.Assignments {
		// An assignment counts from the day it was made.
		if a.AssignedOn <= in.AsOf {
			c.assignsBySub[a.Subscription] = append(c.assignsBySub[a.Subscription], a)
		}
	}
	for i := range in.Products {
		p := &in.Products[i]
		if c.byUser[p.Email] == nil {
			c.byUser[p.Email] = map[string]*store.UserProduct{}
		}
		c.byUser[p.Email][p.Product] = p
		for _, m := range metrics {
			sum, n := m.stat(p)
			if n <= 0 {
				continue
			}
			k := perfKey{p.Product, m.name}
			if c.perf[k] == nil {
				c.perf[k] = &distribution{means: map[string]float64{}}
			}
			c.perf[k].means[p.Email] = sum / n
		}
	}
	for _, d := range c.perf {
		vals := make([]float64, 0, len(d.means))
		for _, v := range d.means {
			vals = append(vals, v)
		}
		sort.Float64s(vals)
		d.p25, d.p50, d.p75 = Percentile(vals, 0.25), Percentile(vals, 0.5), Percentile(vals, 0.75)
	}
	for i := range in.Versions {
		v := &in.Versions[i]
		if c.versions[v.Product] == nil {
			c.versions[v.Product] = map[string][]*store.UserVersion{}
		}
		c.versions[v.Product][v.Email] = append(c.versions[v.Product][v.Email], v)
	}
	for _, x := range in.Commands {
		if x.Completed <= 0 {
			continue
		}
		cat := in.Catalog.Category(x.Product, x.Command)
		if c.commands[x.Product] == nil {
			c.commands[x.Product] = map[string][]categoryCount{}
			c.allCommands[x.Product] = map[string]int64{}
		}
		c.commands[x.Product][x.Email] = addCount(c.commands[x.Product][x.Email], cat, x.Completed)
		c.allCommands[x.Product][cat] += x.Completed
	}
	return c
}

// addCount adds n to a category of a user's few.
func addCount(counts []categoryCount, category string, n int64) []categoryCount {
	for i := range counts {
		if counts[i].category == category {
			counts[i].n += n
			return counts
		}
	}
	return append(counts, categoryCount{category, n})
}

var metrics = []struct {
	name string
	stat func(*store.UserProduct) (sum, n float64)
}{
	{"startup", func(p *store.UserProduct) (float64, float64) { return p.StartupSum, p.StartupCount }},
	{"save", func(p *store.UserProduct) (float64, float64) { return p.SaveSum, p.SaveCount }},
}

// Percentile interpolates linearly between the closest ranks of sorted
// values, as PostgreSQL's percentile_cont does.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := p * float64(len(sorted)-1)
	lo := math.Floor(pos)
	hi := math.Ceil(pos)
	return sorted[int(lo)] + (pos-lo)*(sorted[int(hi)]-sorted[int(lo)])
}

func (c *computation) team(t license.Team, generatedAt time.Time) Snapshot {
	snap := Snapshot{Team: t.Team, AsOf: c.in.AsOf, GeneratedAt: generatedAt, Unavailable: []Unavailable{}}
	subs := c.subsByTeam[t.Team]
	if reason := gate(t, subs); reason != "" {
		for _, k := range wire.InsightKinds {
			snap.Unavailable = append(snap.Unavailable, Unavailable{Kind: k, Reason: reason})
		}
		return snap
	}
	// members are the team's users; settled ones have held a seat since
	// before the window started, so every day of their usage in it was
	// on the team, and a seat assigned for a moment adds nobody.
	members, settled := map[string]bool{}, map[string]bool{}
	for _, s := range subs {
		for _, a := range c.assignsBySub[s.Subscription] {
			members[a.Email] = true
			if a.AssignedOn < c.windowStart {
				settled[a.Email] = true
			}
		}
	}
	snap.Insights.UnderAssignment = c.underAssignment(subs)
	snap.Insights.OverAssignment = c.overAssignment(subs)
	if t.Plan == "premium" {
		snap.Insights.InactiveUser = c.inactiveUsers(subs)
		snap.Insights.ProductVersion = c.productVersions(members)
	} else {
		snap.Unavailable = append(snap.Unavailable,
			Unavailable{Kind: wire.KindInactiveUser, Reason: ReasonPremium},
			Unavailable{Kind: wire.KindProductVersion, Reason: ReasonPremium})
	}
	perf, missing := c.performance(subs, members, settled)
	snap.Insights.ProductPerformance = perf
	snap.Unavailable = append(snap.Unavailable, missing...)
	cmds, missing := c.commandUsage(members, settled)
	snap.Insights.CommandUsage = cmds
	snap.Unavailable = append(snap.Unavailable, missing...)
	return snap
}

// gate says why a team gets no insights at all, or "".
func gate(t license.Team, subs []license.Subscription) string {
	if t.UserManagement == "classic" {
		return "team uses classic user management"
	}
	for _, s := range subs {
		if s.Type == "single-user" || s.Type == "flex" {
			return ""
		}
	}
	return "team has no single-user or flex subscription"
}
