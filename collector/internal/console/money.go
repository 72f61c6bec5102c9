package console

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"teamlens/collector/internal/console/chart"
	"teamlens/collector/internal/server"
	"teamlens/collector/internal/teams"
)

// money formats an amount of a currency as people read it: 16,200.00 EUR.
func money(v any, currency string) string {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case *float64:
		if x == nil {
			return ""
		}
		f = *x
	}
	s := strconv.FormatFloat(f, 'f', 2, 64)
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String() + "." + frac + " " + currency
	}
	return b.String() + "." + frac + " " + currency
}

// summary is the team page's first line: seats, spend a year and what the
// open findings could save, per currency.
type summary struct {
	Seats    int64
	Unpriced int64
	Spend    []teams.Total
	Savings  []amount
}

type amount struct {
	Currency string
	Value    float64
}

func moneySummary(c *teams.Cost, savings map[string]float64) summary {
	s := summary{Unpriced: c.Unpriced, Spend: c.Totals, Seats: c.Unpriced}
	for _, t := range c.Totals {
		s.Seats += t.Seats
	}
	for cur, v := range savings {
		s.Savings = append(s.Savings, amount{cur, v})
	}
	sort.Slice(s.Savings, func(i, j int) bool { return s.Savings[i].Currency < s.Savings[j].Currency })
	return s
}

type costPage struct {
	Cost     *teams.Cost
	Forecast *teams.RenewalForecast
	// Prices: the team's subscriptions, for a primary admin who may
	// purchase to set their prices.
	Prices   []teams.Subscription
	CanPrice bool
	Notice   string
}

func (h *Handler) costShow(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	c, err := h.cfg.Teams.Cost(r.Context(), q.who, t.Team, r.URL.Query().Get("as_of"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := h.cfg.Teams.Forecast(r.Context(), q.who, t.Team, -1, -1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := costPage{Cost: c, Forecast: f, CanPrice: t.CanManage() && t.CanPurchase}
	if r.URL.Query().Get("done") == "price" {
		p.Notice = "Price saved."
	}
	if p.CanPrice {
		lic, err := h.cfg.Teams.License(r.Context(), q.who, t.Team, "")
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Prices = lic.Subscriptions
	}
	h.render(w, r, http.StatusOK, "cost", q.view("Cost · "+t.Name, t, p))
}

// priceSave sets a subscription's price from the cost page's form.
func (h *Handler) priceSave(w http.ResponseWriter, r *http.Request, q *request) {
	team := r.PathValue("team")
	err := h.cfg.Teams.SetPrice(r.Context(), q.who, team, r.PostFormValue("subscription"),
		strings.TrimSpace(r.PostFormValue("price")), strings.ToUpper(strings.TrimSpace(r.PostFormValue("currency"))), r.PostFormValue("term"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/teams/"+url.PathEscape(team)+"/cost?done=price", http.StatusSeeOther)
}

func (h *Handler) costCSV(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	c, err := h.cfg.Teams.Cost(r.Context(), q.who, t.Team, r.URL.Query().Get("as_of"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteCSV(w, fmt.Sprintf("cost-%s-%s.csv", c.Team, c.AsOf), teams.CostCSVHeader(), teams.CostCSV(c))
}

type historyPage struct {
	History *teams.History
	Chart   any
	Peak    chart.Point
	Days    int
}

func (h *Handler) historyShow(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	hist, err := h.cfg.Teams.History(r.Context(), q.who, t.Team, r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// One point a day over the team's subscriptions: purchased, assigned
	// and active seats.
	byDay := map[string]*chart.Point{}
	var order []string
	for _, x := range hist.Rows {
		p := byDay[x.Date]
		if p == nil {
			p = &chart.Point{Date: x.Date}
			byDay[x.Date] = p
			order = append(order, x.Date)
		}
		p.Seats += x.Seats
		p.Assigned += x.Assigned
		p.Active += x.Active
	}
	points := make([]chart.Point, 0, len(order))
	var peak chart.Point
	for _, d := range order {
		points = append(points, *byDay[d])
		if byDay[d].Active > peak.Active {
			peak = *byDay[d]
		}
	}
	// The chart starts at the first day recorded: before it, nothing is
	// known, which is not zero seats.
	from := hist.From
	if len(points) > 0 {
		from = points[0].Date
	}
	page := historyPage{History: hist, Peak: peak, Days: len(points), Chart: chart.Seats("seats", points, from, hist.To)}
	h.render(w, r, http.StatusOK, "history", q.view("Seat history · "+t.Name, t, page))
}
