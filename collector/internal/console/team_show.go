package console

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"teamlens/collector/internal/console/chart"
	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
	"teamlens/shared/wire"
)

// teamPage is the team's insights, as the vendor's Team Insights page
// groups them.
type teamPage struct {
	Team        teams.Team
	Snap        *insights.Snapshot
	NextRun     time.Time
	CanChange   bool
	CanManage   bool
	Notice      string
	NoInsights  string // why there is no finding, when there is none
	License     []unavailable
	Product     []unavailable
	Audit       []store.AuditEntry
	Performance []template.HTML
	Commands    []template.HTML
	Summary     summary
	Inactive    []inactiveGroup
}

// inactiveGroup is the one card of a product's inactive users: a team of
// thousands stays one screen.
type inactiveGroup struct {
	Product string
	Count   int
	First   []string // the first few, by email
	More    int
	Savings []amount // what reclaiming every seat would save a year
	ViewAll string
}

// inactiveShown is how many names an inactive-user card shows.
const inactiveShown = 5

func groupInactive(team string, users []insights.InactiveUser) []inactiveGroup {
	var out []inactiveGroup
	index := map[string]int{}
	saving := map[string]map[string]float64{}
	for _, u := range users {
		i, ok := index[u.Product]
		if !ok {
			i = len(out)
			index[u.Product] = i
			out = append(out, inactiveGroup{Product: u.Product, ViewAll: "/teams/" + url.PathEscape(team) + "/usage?" + url.Values{"inactive": {"1"}, "product": {u.Product}}.Encode()})
			saving[u.Product] = map[string]float64{}
		}
		g := &out[i]
		g.Count++
		if len(g.First) < inactiveShown {
			g.First = append(g.First, u.User)
		} else {
			g.More++
		}
		if u.YearlySaving != nil {
			saving[u.Product][u.Currency] += *u.YearlySaving
		}
	}
	for i := range out {
		for c, v := range saving[out[i].Product] {
			out[i].Savings = append(out[i].Savings, amount{c, insights.Amount(v * 1000)})
		}
		sort.Slice(out[i].Savings, func(a, b int) bool { return out[i].Savings[a].Currency < out[i].Savings[b].Currency })
	}
	return out
}

type unavailable struct {
	Kind, Label, Reason string
}

var kindLabels = map[string]string{
	wire.KindUnderAssignment: "Under-assignment", wire.KindOverAssignment: "Over-assignment",
	wire.KindInactiveUser: "Inactive users", wire.KindProductVersion: "Product versions",
	wire.KindProductPerformance: "Product performance", wire.KindCommandUsage: "Command usage",
}

func (h *Handler) teamShow(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	p, err := h.teamPage(r, q, t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "team", q.view(t.Name, t, p))
}

func (h *Handler) teamPage(r *http.Request, q *request, t teams.Team) (*teamPage, error) {
	ctx, svc := r.Context(), h.cfg.Teams
	asOf := r.URL.Query().Get("as_of")
	snap, err := svc.Snapshot(ctx, q.who, t.Team, asOf)
	if err != nil {
		return nil, err
	}
	p := &teamPage{Team: t, Snap: snap, NextRun: svc.NextRun(), Notice: notice(r.URL.Query()),
		CanChange: t.CanChange(), CanManage: t.CanManage()}
	for _, u := range snap.Unavailable {
		x := unavailable{Kind: u.Kind, Label: kindLabels[u.Kind], Reason: sentence(u.Reason)}
		if u.Product != "" {
			x.Label += " · " + u.Product + " " + u.Metric
		}
		if u.Kind == wire.KindProductPerformance || u.Kind == wire.KindCommandUsage {
			p.Product = append(p.Product, x)
		} else {
			p.License = append(p.License, x)
		}
	}
	if snap.Insights.Len() == 0 {
		p.NoInsights = noInsightsReason(snap)
	}
	cost, err := svc.Cost(ctx, q.who, t.Team, snap.AsOf)
	if err != nil {
		return nil, err
	}
	p.Summary = moneySummary(cost, teams.Savings(snap))
	p.Inactive = groupInactive(t.Team, snap.Insights.InactiveUser)
	if p.Audit, err = svc.Audit(ctx, q.who, t.Team); err != nil {
		return nil, err
	}
	p.Audit = p.Audit[:min(len(p.Audit), 10)]
	for i, x := range snap.Insights.ProductPerformance {
		p.Performance = append(p.Performance, chart.Quartiles(chartID("perf", i), x))
	}
	for i, x := range snap.Insights.CommandUsage {
		p.Commands = append(p.Commands, chart.Categories(chartID("cmd", i), x))
	}
	return p, nil
}

func chartID(prefix string, i int) string {
	return prefix + "-" + string(rune('a'+i%26)) + strings.Repeat("z", i/26)
}

// sentence capitalizes a reason for display.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// noInsightsReason says why a snapshot has no finding at all.
func noInsightsReason(s *insights.Snapshot) string {
	reasons := map[string]bool{}
	for _, u := range s.Unavailable {
		if u.Product == "" {
			reasons[u.Reason] = true
		}
	}
	if len(reasons) == 1 && len(s.Unavailable) >= 6 {
		for r := range reasons {
			return sentence(r) + "."
		}
	}
	return "Nothing needs your attention on " + s.AsOf + ": every active subscription's seats are assigned, no ended subscription holds seats, and no usage stands out yet."
}
