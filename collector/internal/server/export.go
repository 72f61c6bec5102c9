package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"teamlens/collector/internal/csvsafe"
	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
)

// InsightsCSVHeader is the header of insights.csv, documented in the
// package doc of collector. Columns a kind does not use stay empty.
var InsightsCSVHeader = []string{"team", "as_of", "kind", "product", "subscription", "user", "version", "metric", "category",
	"seats", "assigned", "available", "ended_on", "last_used", "days_used", "share", "peer_share", "count",
	"p25", "p50", "p75", "users_q1", "users_q2", "users_q3", "users_q4", "team_mean_ms", "users"}

// UsageCSVHeader is the header of usage.csv.
var UsageCSVHeader = []string{"email", "login", "product", "days_used", "last_used", "versions", "assigned_on", "devices"}

// flat reads any insight kind back from JSON.
type flat struct {
	Kind            string                   `json:"kind"`
	Subscription    string                   `json:"subscription"`
	Product         string                   `json:"product"`
	User            string                   `json:"user"`
	Version         string                   `json:"version"`
	Metric          string                   `json:"metric"`
	EndedOn         string                   `json:"ended_on"`
	LastUsed        *string                  `json:"last_used"`
	Seats           *int64                   `json:"seats"`
	Assigned        *int64                   `json:"assigned"`
	Available       *int64                   `json:"available"`
	DaysUsed        *int64                   `json:"days_used"`
	Share           *float64                 `json:"share"`
	P25             *float64                 `json:"p25"`
	P50             *float64                 `json:"p50"`
	P75             *float64                 `json:"p75"`
	UsersByQuartile *[4]int                  `json:"users_by_quartile"`
	TeamMeanMS      *float64                 `json:"team_mean_ms"`
	Users           []string                 `json:"users"`
	Categories      []insights.CategoryShare `json:"categories"`
}

func i64(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func f64(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (h *Handler) insightsCSV(w http.ResponseWriter, r *http.Request) {
	a, ok := h.admin(w, r)
	if !ok {
		return
	}
	s, ok := h.snapshot(w, r, a)
	if !ok {
		return
	}
	var rows [][]string
	for _, raw := range s.Insights {
		var f flat
		if err := json.Unmarshal(raw, &f); err != nil {
			h.internal(w, r, fmt.Errorf("snapshot of %s: %w", s.Team, err))
			return
		}
		row := func(category, share, peerShare, count string) []string {
			var q [4]string
			if f.UsersByQuartile != nil {
				for i, n := range f.UsersByQuartile {
					q[i] = strconv.Itoa(n)
				}
			}
			if share == "" {
				share = f64(f.Share)
			}
			return []string{s.Team, s.AsOf, f.Kind, f.Product, f.Subscription, f.User, f.Version, f.Metric, category,
				i64(f.Seats), i64(f.Assigned), i64(f.Available), f.EndedOn, str(f.LastUsed), i64(f.DaysUsed), share, peerShare, count,
				f64(f.P25), f64(f.P50), f64(f.P75), q[0], q[1], q[2], q[3], f64(f.TeamMeanMS), strings.Join(f.Users, ";")}
		}
		if f.Kind == insights.KindCommandUsage {
			for _, c := range f.Categories {
				rows = append(rows, row(c.Category, f64(&c.Share), f64(&c.PeerShare), strconv.FormatInt(c.Count, 10)))
			}
			continue
		}
		rows = append(rows, row("", "", "", ""))
	}
	writeCSV(w, fmt.Sprintf("insights-%s-%s.csv", s.Team, s.AsOf), InsightsCSVHeader, rows)
}

// writeCSV writes a CSV download; csvsafe escapes every cell a
// spreadsheet would evaluate.
func writeCSV(w http.ResponseWriter, filename string, header []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	cw := csvsafe.NewWriter(w)
	cw.Write(header)
	for _, row := range rows {
		cw.Write(row)
	}
	cw.Flush()
}

// asOf reads ?as_of=, defaulting to today.
func (h *Handler) asOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	v := r.URL.Query().Get("as_of")
	if v == "" {
		return h.cfg.Now().Format(license.DateLayout), true
	}
	if _, err := time.Parse(license.DateLayout, v); err != nil {
		writeError(w, http.StatusBadRequest, "as_of is not YYYY-MM-DD")
		return "", false
	}
	return v, true
}

// usageCSV is the per-user usage report of a team: one row per team user
// and product assigned or used, over the 90 days ending on as_of.
func (h *Handler) usageCSV(w http.ResponseWriter, r *http.Request) {
	a, ok := h.admin(w, r)
	if !ok {
		return
	}
	asOf, ok := h.asOf(w, r)
	if !ok {
		return
	}
	from, _ := insights.WindowStart(asOf)
	ctx := r.Context()
	pic, err := h.cfg.Store.Picture(ctx)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	used, err := h.cfg.Store.UserProducts(ctx, from, asOf)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	versions, err := h.cfg.Store.UserProductVersions(ctx, from, asOf)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	devices, err := h.cfg.Store.DevicesByLogin(ctx, from, asOf)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	type key struct{ email, product string }
	assigned := map[key]string{} // earliest assignment of the product
	members := map[string]bool{}
	subs := map[string]license.Subscription{}
	for _, s := range pic.Subscriptions {
		if s.Team == a.Team {
			subs[s.Subscription] = s
		}
	}
	for _, as := range pic.Assignments {
		s, ok := subs[as.Subscription]
		if !ok || as.AssignedOn > asOf {
			continue
		}
		members[as.Email] = true
		k := key{as.Email, s.Product}
		if prev, ok := assigned[k]; !ok || as.AssignedOn < prev {
			assigned[k] = as.AssignedOn
		}
	}
	type usage struct {
		days     int64
		lastUsed string
	}
	rowsBy := map[key]usage{}
	for k := range assigned {
		rowsBy[k] = usage{}
	}
	for _, u := range used {
		if members[u.Email] {
			rowsBy[key{u.Email, u.Product}] = usage{u.Days, u.LastUsed}
		}
	}
	logins := map[string]string{}
	for _, u := range pic.Users {
		logins[u.Email] = u.Login
	}
	keys := make([]key, 0, len(rowsBy))
	for k := range rowsBy {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].email != keys[j].email {
			return keys[i].email < keys[j].email
		}
		return keys[i].product < keys[j].product
	})
	rows := make([][]string, 0, len(keys))
	for _, k := range keys {
		u := rowsBy[k]
		rows = append(rows, []string{k.email, logins[k.email], k.product, strconv.FormatInt(u.days, 10), u.lastUsed,
			strings.Join(versions[[2]string{k.email, k.product}], ";"), assigned[k], deviceList(devices[k.email])})
	}
	writeCSV(w, fmt.Sprintf("usage-%s-%s.csv", a.Team, asOf), UsageCSVHeader, rows)
}

// team returns the license picture of a team: its subscriptions with the
// seats assigned on as_of (default today) and who holds them.
func (h *Handler) team(w http.ResponseWriter, r *http.Request) {
	a, ok := h.admin(w, r)
	if !ok {
		return
	}
	asOf, ok := h.asOf(w, r)
	if !ok {
		return
	}
	pic, err := h.cfg.Store.Picture(r.Context())
	if err != nil {
		h.internal(w, r, err)
		return
	}
	type seat struct {
		Email      string `json:"email"`
		AssignedOn string `json:"assigned_on"`
	}
	type sub struct {
		Subscription string `json:"subscription"`
		Product      string `json:"product"`
		Type         string `json:"type"`
		Seats        int64  `json:"seats"`
		Channel      string `json:"channel"`
		Start        string `json:"start"`
		End          string `json:"end"`
		Active       bool   `json:"active"`
		Assigned     int    `json:"assigned"`
		Assignments  []seat `json:"assignments"`
	}
	out := struct {
		Team           string `json:"team"`
		Name           string `json:"name"`
		Plan           string `json:"plan"`
		UserManagement string `json:"user_management"`
		AsOf           string `json:"as_of"`
		Subscriptions  []sub  `json:"subscriptions"`
	}{Team: a.Team, AsOf: asOf, Subscriptions: []sub{}}
	for _, t := range pic.Teams {
		if t.Team == a.Team {
			out.Name, out.Plan, out.UserManagement = t.Name, t.Plan, t.UserManagement
		}
	}
	for _, s := range pic.Subscriptions {
		if s.Team != a.Team {
			continue
		}
		x := sub{Subscription: s.Subscription, Product: s.Product, Type: s.Type, Seats: s.Seats, Channel: s.Channel,
			Start: s.Start, End: s.End, Active: s.ActiveOn(asOf), Assignments: []seat{}}
		for _, as := range pic.Assignments {
			if as.Subscription == s.Subscription && as.AssignedOn <= asOf {
				x.Assignments = append(x.Assignments, seat{as.Email, as.AssignedOn})
			}
		}
		x.Assigned = len(x.Assignments)
		out.Subscriptions = append(out.Subscriptions, x)
	}
	writeJSON(w, http.StatusOK, out)
}
