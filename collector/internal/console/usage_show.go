package console

import (
	"html/template"
	"net/http"
	"net/url"
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
	if !usageSorts[q.Sort] {
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

// usageSorts are the columns the usage page sorts by.
var usageSorts = map[string]bool{"email": true, "product": true, "days": true, "last": true, "assigned": true}

// filter is the store's filter of q, without a page.
func (q usageQuery) filter() teams.UsageFilter {
	return teams.UsageFilter{Product: q.Product, Subscription: q.Subscription, Department: q.Department, Q: q.Q,
		Inactive: q.Inactive, Sort: q.Sort, Desc: q.Desc}
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
// the team's usage details for its day. It answers failures itself.
type usage struct {
	team    teams.Team
	query   usageQuery
	details *teams.UsageDetails
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
	d, err := h.cfg.Teams.UsageDetails(r.Context(), q.who, t.Team, uq.AsOf)
	if err != nil {
		h.fail(w, r, err)
		return usage{}, false
	}
	return usage{t, uq, d}, true
}

func (h *Handler) usageShow(w http.ResponseWriter, r *http.Request, q *request) {
	u, ok := h.readUsage(w, r, q)
	if !ok {
		return
	}
	t, uq, d := u.team, u.query, u.details
	p := usagePage{Query: uq, AsOf: d.Day, Total: d.Total, SortLinks: map[string]string{}, CSV: "/teams/" + url.PathEscape(t.Team) + "/usage.csv?" + uq.encode(""),
		Products: d.Products, Subscriptions: d.Subscriptions, Departments: d.Departments}
	for col := range usageSorts {
		p.SortLinks[col] = "?" + uq.encode(col)
	}
	f := uq.filter()
	matched, err := d.Count(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Matched = matched
	pages := max(1, (matched+usagePageRows-1)/usagePageRows)
	page := min(uq.Page, pages)
	f.Offset, f.Limit = (page-1)*usagePageRows, usagePageRows
	err = d.Each(r.Context(), f, func(row teams.UsageRow, inactive bool) error {
		p.Rows = append(p.Rows, usageRow{row, inactive})
		return nil
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.First, p.Last = f.Offset+1, f.Offset+len(p.Rows)
	if page > 1 {
		p.Prev = uq.pageLink(page - 1)
	}
	if page < pages {
		p.Next = uq.pageLink(page + 1)
	}
	p.DailyUsers, p.Versions = activityCharts(d.Activity)
	h.render(w, r, http.StatusOK, "usage", q.view("Usage details", t, p))
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
