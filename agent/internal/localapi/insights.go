package localapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"teamlens/shared/catalog"
	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

// benchmarkDays is the window of the performance view: the collector's
// quartiles cover the same 90 days, so the two compare.
const benchmarkDays = 90

// The fewest times a pair of commands must follow each other before it is
// worth suggesting, and how many suggestions to make.
const (
	minSequence   = 3
	maxSequences  = 5
	maxTopCommand = 10
)

// window is whole local days [from, to], to being today.
type window struct {
	from, to time.Time // midnights
	days     int
}

func (s *Server) window(days int) window {
	now := s.cfg.Now()
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	return window{from: to.AddDate(0, 0, -(days - 1)), to: to, days: days}
}

func (w window) fromDate() string { return w.from.Format(wire.DateLayout) }
func (w window) toDate() string   { return w.to.Format(wire.DateLayout) }

// index returns the position of date in the window, or -1.
func (w window) index(date string) int {
	d, err := time.ParseInLocation(wire.DateLayout, date, w.from.Location())
	if err != nil {
		return -1
	}
	// Counting calendar days rather than dividing durations keeps a
	// daylight-saving day from shifting the index.
	i := 0
	for c := w.from; c.Before(d); c = c.AddDate(0, 0, 1) {
		i++
		if i > w.days {
			return -1
		}
	}
	if i >= w.days || d.Before(w.from) {
		return -1
	}
	return i
}

func daysParam(r *http.Request, def int) (int, error) {
	v := r.URL.Query().Get("days")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 366 {
		return 0, fmt.Errorf("days must be 1 to 366, not %q", v)
	}
	return n, nil
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, login string) {
	n, err := daysParam(r, 30)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	win := s.window(n)
	days, err := s.cfg.Store.Days(r.Context(), login, win.fromDate(), win.toDate())
	if err != nil {
		s.fail(w, "days", err)
		return
	}
	writeJSON(w, http.StatusOK, buildOverview(days, win, s.cfg.Catalog))
}

// buildOverview sums day records of one user into usage per product.
func buildOverview(days []wire.Day, win window, cat *catalog.Catalog) localclient.Overview {
	ov := localclient.Overview{From: win.fromDate(), To: win.toDate(), Days: win.days, Products: []localclient.ProductUsage{}}
	byName := map[string]*localclient.ProductUsage{}
	versions := map[string]map[string]bool{}
	activeDay := map[string]map[int]bool{}
	allActive := map[int]bool{}
	for _, d := range days {
		i := win.index(d.Date)
		if i < 0 || (d.Minutes == 0 && d.Sessions == 0) {
			continue
		}
		p := byName[d.Product]
		if p == nil {
			p = &localclient.ProductUsage{Name: d.Product, Daily: make([]int, win.days)}
			if cp, ok := cat.Lookup(d.Product); ok {
				p.Insights = cp.Insights
			}
			byName[d.Product] = p
			versions[d.Product] = map[string]bool{}
			activeDay[d.Product] = map[int]bool{}
		}
		p.Minutes += d.Minutes
		p.Sessions += d.Sessions
		p.Daily[i] += d.Minutes
		versions[d.Product][d.Version] = true
		activeDay[d.Product][i] = true
		allActive[i] = true
		ov.Minutes += d.Minutes
		ov.Sessions += d.Sessions
	}
	for name, p := range byName {
		p.ActiveDays = len(activeDay[name])
		for v := range versions[name] {
			p.Versions = append(p.Versions, v)
		}
		sort.Strings(p.Versions)
		ov.Products = append(ov.Products, *p)
	}
	sort.Slice(ov.Products, func(i, j int) bool {
		a, b := ov.Products[i], ov.Products[j]
		if a.Minutes != b.Minutes {
			return a.Minutes > b.Minutes
		}
		return a.Name < b.Name
	})
	ov.ActiveDays = len(allActive)
	return ov
}

func (s *Server) commands(w http.ResponseWriter, r *http.Request, login string) {
	p, win, days, ok := s.productDays(w, r, login, true)
	if !ok {
		return
	}
	out := buildCommands(days, win, p.Name, s.cfg.Catalog)
	pairs, err := s.cfg.Store.CommandPairs(r.Context(), login, p.Name, win.from)
	if err != nil {
		s.fail(w, "command sequences", err)
		return
	}
	for _, pr := range pairs {
		if pr.Count < minSequence || len(out.Sequences) == maxSequences {
			break
		}
		out.Sequences = append(out.Sequences, localclient.Sequence{
			First: pr.First, Second: pr.Second, Count: pr.Count,
			Suggestion: fmt.Sprintf("You ran %s right after %s %d times: a macro or a custom button doing both in one step would save you a command each time.",
				pr.Second, pr.First, pr.Count),
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// productDays starts the routes of one product's insights: the window of
// ?days= (default 90), the catalog product of ?product= (with
// insightsOnly, one that has command insights) and the caller's day
// records over the window. On false the error answer is written.
func (s *Server) productDays(w http.ResponseWriter, r *http.Request, login string, insightsOnly bool) (catalog.Product, window, []wire.Day, bool) {
	n, err := daysParam(r, 90)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return catalog.Product{}, window{}, nil, false
	}
	p, ok := s.cfg.Catalog.Lookup(r.URL.Query().Get("product"))
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("product %q is not in the catalog", r.URL.Query().Get("product")))
		return p, window{}, nil, false
	}
	if insightsOnly && !p.Insights {
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s shows usage time only: it has no command insights", p.Name))
		return p, window{}, nil, false
	}
	win := s.window(n)
	days, err := s.cfg.Store.Days(r.Context(), login, win.fromDate(), win.toDate())
	if err != nil {
		s.fail(w, "days", err)
		return p, win, nil, false
	}
	return p, win, days, true
}

// buildCommands sums the completed commands of product in day records.
func buildCommands(days []wire.Day, win window, product string, cat *catalog.Catalog) localclient.Commands {
	out := localclient.Commands{
		Product: product, From: win.fromDate(), To: win.toDate(),
		Categories: []localclient.CategoryCount{}, Top: []localclient.CommandCount{},
		Sequences: []localclient.Sequence{},
	}
	// Weeks start on Monday; the first may begin before the window.
	first := win.from.AddDate(0, 0, -((int(win.from.Weekday()) + 6) % 7))
	weekIdx := map[string]int{}
	for d := first; !d.After(win.to); d = d.AddDate(0, 0, 7) {
		weekIdx[d.Format(wire.DateLayout)] = len(out.Weekly)
		out.Weekly = append(out.Weekly, localclient.WeekCount{Week: d.Format(wire.DateLayout)})
	}
	perCmd := map[string]int64{}
	perCat := map[string]int64{}
	for _, d := range days {
		if d.Product != product || d.Analytics == nil || win.index(d.Date) < 0 {
			continue
		}
		date, _ := time.ParseInLocation(wire.DateLayout, d.Date, win.from.Location())
		monday := date.AddDate(0, 0, -((int(date.Weekday()) + 6) % 7)).Format(wire.DateLayout)
		for name, o := range d.Analytics.Commands {
			if o == nil || o.Completed == 0 {
				continue
			}
			perCmd[name] += o.Completed
			perCat[cat.Category(product, name)] += o.Completed
			out.Total += o.Completed
			if i, ok := weekIdx[monday]; ok {
				out.Weekly[i].Count += o.Completed
			}
		}
	}
	for c, n := range perCat {
		out.Categories = append(out.Categories, localclient.CategoryCount{Category: c, Count: n, Share: float64(n) / float64(out.Total)})
	}
	sort.Slice(out.Categories, func(i, j int) bool {
		a, b := out.Categories[i], out.Categories[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Category < b.Category
	})
	for name, n := range perCmd {
		out.Top = append(out.Top, localclient.CommandCount{Name: name, Category: cat.Category(product, name), Count: n})
	}
	sort.Slice(out.Top, func(i, j int) bool {
		a, b := out.Top[i], out.Top[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Name < b.Name
	})
	if len(out.Top) > maxTopCommand {
		out.Top = out.Top[:maxTopCommand]
	}
	return out
}

func (s *Server) performance(w http.ResponseWriter, r *http.Request, login string) {
	win := s.window(benchmarkDays)
	days, err := s.cfg.Store.Days(r.Context(), login, win.fromDate(), win.toDate())
	if err != nil {
		s.fail(w, "days", err)
		return
	}
	cache, err := s.benchmarkCache(r)
	if err != nil {
		s.fail(w, "benchmarks", err)
		return
	}
	writeJSON(w, http.StatusOK, buildPerformance(days, win, s.cfg.Catalog, cache))
}

// buildPerformance merges the day statistics of each insights product.
func buildPerformance(days []wire.Day, win window, cat *catalog.Catalog, cache *localclient.BenchmarkCache) localclient.Performance {
	out := localclient.Performance{From: win.fromDate(), To: win.toDate(), Products: []localclient.ProductPerformance{}}
	if cache != nil {
		out.BenchmarksFetchedAt = cache.FetchedAt
	}
	for _, p := range cat.Products() {
		if !p.Insights {
			continue
		}
		var startup, open, save wire.Stat
		for _, d := range days {
			if d.Product != p.Name || d.Analytics == nil || win.index(d.Date) < 0 {
				continue
			}
			merge(&startup, d.Analytics.StartupMS)
			merge(&open, d.Analytics.OpenMS)
			merge(&save, d.Analytics.SaveMS)
		}
		pp := localclient.ProductPerformance{Name: p.Name, Startup: measure(startup), Open: measure(open), Save: measure(save)}
		if cache != nil {
			if b, ok := cache.Products[p.Name]; ok {
				pp.Benchmark = &b
			}
		}
		out.Products = append(out.Products, pp)
	}
	return out
}

func merge(dst, src *wire.Stat) {
	if src == nil || src.Count == 0 {
		return
	}
	if dst.Count == 0 || src.Min < dst.Min {
		dst.Min = src.Min
	}
	if dst.Count == 0 || src.Max > dst.Max {
		dst.Max = src.Max
	}
	dst.Count += src.Count
	dst.Sum += src.Sum
}

func measure(s wire.Stat) *localclient.Measure {
	if s.Count == 0 {
		return nil
	}
	return &localclient.Measure{Count: s.Count, MeanMS: s.Mean(), MinMS: s.Min, MaxMS: s.Max}
}

// benchmarkCache reads the uploader's cache; nil when there is none. A
// cache that does not parse counts as none: the screen then says the
// benchmarks are unavailable instead of failing.
func (s *Server) benchmarkCache(r *http.Request) (*localclient.BenchmarkCache, error) {
	raw, err := s.cfg.Store.Meta(r.Context(), benchmarksKey)
	if err != nil || raw == "" {
		return nil, err
	}
	var c localclient.BenchmarkCache
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		s.cfg.Log.Warn("local API: cached benchmarks do not parse", "err", err)
		return nil, nil
	}
	return &c, nil
}

func (s *Server) benchmarks(w http.ResponseWriter, r *http.Request, _ string) {
	cache, err := s.benchmarkCache(r)
	if err != nil {
		s.fail(w, "benchmarks", err)
		return
	}
	if cache == nil {
		writeError(w, http.StatusNotFound, "benchmarks unavailable: the agent has not fetched them from the collector yet")
		return
	}
	writeJSON(w, http.StatusOK, cache)
}
