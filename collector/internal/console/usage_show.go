package console

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"teamlens/collector/internal/console/chart"
	"teamlens/collector/internal/teams"
)

// usageQuery is the usage page's filters and sort order, kept in the URL so
// every view can be bookmarked and downloaded as it is shown.
type usageQuery struct {
	Product, Subscription, Department, Q, Sort string
	Desc, Inactive                             bool
	AsOf                                       string
	Page                                       int // from 1
}

// usagePageRows is the most rows a usage page shows.
const usagePageRows = 100

func readUsageQuery(r *http.Request) usageQuery {
	v := r.URL.Query()
	q := usageQuery{Product: v.Get("product"), Subscription: v.Get("subscription"), Department: v.Get("department"),
		Q: strings.TrimSpace(v.Get("q")), Sort: v.Get("sort"), Desc: v.Get("dir") == "desc", Inactive: v.Get("inactive") == "1", AsOf: v.Get("as_of")}
	if _, ok := usageSorts[q.Sort]; !ok {
		q.Sort = "email"
	}
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.Page = max(q.Page, 1)
	return q
}

// values returns the filters of q as a query.
func (q usageQuery) values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"product": q.Product, "subscription": q.Subscription, "department": q.Department, "q": q.Q, "as_of": q.AsOf} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if q.Inactive {
		v.Set("inactive", "1")
	}
	return v
}

// encode returns the query string of q with sort changed to col (toggling
// the direction when it is the current one), from the first page.
func (q usageQuery) encode(col string) string {
	v := q.values()
	if col != "" {
		v.Set("sort", col)
		if col == q.Sort && !q.Desc {
			v.Set("dir", "desc")
		}
	}
	return v.Encode()
}

// pageLink returns the query string of page n of q.
func (q usageQuery) pageLink(n int) string {
	v := q.values()
	v.Set("sort", q.Sort)
	if q.Desc {
		v.Set("dir", "desc")
	}
	v.Set("page", strconv.Itoa(n))
	return "?" + v.Encode()
}

var usageSorts = map[string]func(a, b teams.UsageRow) int{
	"email":    func(a, b teams.UsageRow) int { return strings.Compare(a.Email, b.Email) },
	"product":  func(a, b teams.UsageRow) int { return strings.Compare(a.Product, b.Product) },
	"days":     func(a, b teams.UsageRow) int { return int(a.DaysUsed - b.DaysUsed) },
	"last":     func(a, b teams.UsageRow) int { return strings.Compare(a.LastUsed, b.LastUsed) },
	"assigned": func(a, b teams.UsageRow) int { return strings.Compare(a.AssignedOn, b.AssignedOn) },
}

// filter keeps the rows q asks for, in its order; inactive holds the
// "product|email" of the snapshot's inactive users.
func (q usageQuery) filter(rows []teams.UsageRow, inactive map[string]bool) []teams.UsageRow {
	out := rows[:0:0]
	needle := strings.ToLower(q.Q)
	for _, r := range rows {
		if (q.Product == "" || r.Product == q.Product) && (q.Subscription == "" || slices.Contains(r.Subscriptions, q.Subscription)) &&
			(q.Department == "" || r.Department == q.Department) && (!q.Inactive || inactive[r.Product+"|"+r.Email]) &&
			(needle == "" || strings.Contains(strings.ToLower(r.Email), needle) || strings.Contains(strings.ToLower(r.Name), needle) ||
				strings.Contains(strings.ToLower(r.Login), needle)) {
			out = append(out, r)
		}
	}
	cmp := usageSorts[q.Sort]
	sort.SliceStable(out, func(i, j int) bool {
		if q.Desc {
			return cmp(out[j], out[i]) < 0
		}
		return cmp(out[i], out[j]) < 0
	})
	return out
}

type productChart struct {
	Product string
	SVG     template.HTML
}

type usagePage struct {
	Query         usageQuery
	AsOf          string
	Rows          []usageRow
	Total         int // rows of the team
	Matched       int // rows the filters keep, over every page
	First, Last   int // of the rows shown, from 1
	Prev, Next    string
	Departments   []string
	Products      []string
	Subscriptions []string
	SortLinks     map[string]string
	CSV           string
	DailyUsers    template.HTML
	Versions      []productChart
}

// usage is what the usage page and its CSV share: the team, the query and
// the team's usage rows for its day. It answers failures itself.
type usage struct {
	team     teams.Team
	query    usageQuery
	rows     []teams.UsageRow
	day      string
	inactive map[string]bool // "product|email" of the day's inactive users
}

// usageRow is a row of the usage page.
type usageRow struct {
	teams.UsageRow
	Inactive bool
}

func (h *Handler) readUsage(w http.ResponseWriter, r *http.Request, q *request) (usage, bool) {
	t, ok := h.team(w, r, q)
	if !ok {
		return usage{}, false
	}
	uq := readUsageQuery(r)
	rows, day, err := h.cfg.Teams.Usage(r.Context(), q.who, t.Team, uq.AsOf)
	if err != nil {
		h.fail(w, r, err)
		return usage{}, false
	}
	snap, err := h.cfg.Teams.Snapshot(r.Context(), q.who, t.Team, day)
	if err != nil {
		h.fail(w, r, err)
		return usage{}, false
	}
	inactive := map[string]bool{}
	for _, u := range snap.Insights.InactiveUser {
		inactive[u.Product+"|"+u.User] = true
	}
	return usage{t, uq, rows, day, inactive}, true
}

func (h *Handler) usageShow(w http.ResponseWriter, r *http.Request, q *request) {
	u, ok := h.readUsage(w, r, q)
	if !ok {
		return
	}
	t, uq, rows, day := u.team, u.query, u.rows, u.day
	p := usagePage{Query: uq, AsOf: day, Total: len(rows), SortLinks: map[string]string{}, CSV: "/teams/" + url.PathEscape(t.Team) + "/usage.csv?" + uq.encode("")}
	products, subs, depts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		products[r.Product] = true
		for _, s := range r.Subscriptions {
			subs[s] = true
		}
		if r.Department != "" {
			depts[r.Department] = true
		}
	}
	p.Products, p.Subscriptions, p.Departments = sortedSet(products), sortedSet(subs), sortedSet(depts)
	for col := range usageSorts {
		p.SortLinks[col] = "?" + uq.encode(col)
	}
	matched := uq.filter(rows, u.inactive)
	p.Matched = len(matched)
	pages := max(1, (len(matched)+usagePageRows-1)/usagePageRows)
	page := min(uq.Page, pages)
	lo, hi := (page-1)*usagePageRows, min(page*usagePageRows, len(matched))
	for _, r := range matched[lo:hi] {
		p.Rows = append(p.Rows, usageRow{r, u.inactive[r.Product+"|"+r.Email]})
	}
	p.First, p.Last = lo+1, hi
	if page > 1 {
		p.Prev = uq.pageLink(page - 1)
	}
	if page < pages {
		p.Next = uq.pageLink(page + 1)
	}
	act, err := h.cfg.Teams.Activity(r.Context(), q.who, t.Team, day)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.DailyUsers, p.Versions = activityCharts(act)
	h.render(w, r, http.StatusOK, "usage", q.view("Usage details", t, p))
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// activityCharts draws the daily users of each product and each product's
// version share.
func activityCharts(a *teams.Activity) (template.HTML, []productChart) {
	byProduct := map[string]map[string]int64{}
	var order []string
	for _, d := range a.Days {
		if byProduct[d.Product] == nil {
			byProduct[d.Product] = map[string]int64{}
			order = append(order, d.Product)
		}
		byProduct[d.Product][d.Day] = d.Users
	}
	var series []chart.Series
	for _, name := range order {
		series = append(series, chart.Series{Name: name, Points: byProduct[name]})
	}
	var dau template.HTML
	if len(series) > 0 {
		dau = chart.DailyUsers("dau", series, a.From, a.To)
	}
	slices := map[string][]chart.Slice{}
	var products []string
	for _, v := range a.Versions {
		if slices[v.Product] == nil {
			products = append(products, v.Product)
		}
		slices[v.Product] = append(slices[v.Product], chart.Slice{Label: v.Version, Value: v.UserDays})
	}
	var versions []productChart
	for i, product := range products {
		versions = append(versions, productChart{product, chart.VersionShare(chartID("ver", i), product, slices[product])})
	}
	return dau, versions
}
