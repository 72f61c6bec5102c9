package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
)

// UsageCSVHeader is the header of usage.csv.
var UsageCSVHeader = []string{"email", "login", "product", "days_used", "last_used", "versions", "assigned_on"}

func (h *Handler) insightsCSV(w http.ResponseWriter, r *http.Request) {
	a, ok := h.admin(w, r)
	if !ok {
		return
	}
	s, ok := h.snapshot(w, r, a)
	if !ok {
		return
	}
	writeCSV(w, fmt.Sprintf("insights-%s-%s.csv", s.Team, s.AsOf), insights.CSVHeader(), s.CSVRows())
}

func writeCSV(w http.ResponseWriter, filename string, header []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	cw := csv.NewWriter(w)
	cw.Write(header)
	for _, row := range rows {
		for i, v := range row {
			row[i] = defuse(v)
		}
		cw.Write(row)
	}
	cw.Flush()
}

// defuse keeps a spreadsheet from running a cell as a formula: names and
// emails come from imported files.
func defuse(v string) string {
	if v != "" && strings.ContainsRune("=+@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
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
			strings.Join(versions[[2]string{k.email, k.product}], ";"), assigned[k]})
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
