package localapi

// My drawings: what a user's day records say about their drawings (object
// counts, view changes, settings) and the product's process on this
// workstation. It reads only the day records the agent keeps for users who
// opted in to analytics.

import (
	"net/http"
	"sort"

	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

func (s *Server) drawings(w http.ResponseWriter, r *http.Request, login string) {
	p, _, days, ok := s.productDays(w, r, login, false)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, summarizeDrawings(days, p.Name, settingDefaults[p.Name]))
}

// addUsage adds a day's samples of a resource.
func addUsage(u *localclient.Usage, st *wire.Stat) {
	if st == nil || st.Count == 0 {
		return
	}
	total := u.Mean*float64(u.Samples) + float64(st.Sum)
	u.Samples += st.Count
	u.Mean = total / float64(u.Samples)
	u.Peak = max(u.Peak, float64(st.Max))
}

// summarizeDrawings sums the days of product. Days of other products and days
// without analytics are skipped.
func summarizeDrawings(days []wire.Day, product string, defaults map[string]float64) localclient.Drawings {
	s := localclient.Drawings{Product: product}
	perType := map[string][]int64{}
	objectDays := 0
	views := map[string]int64{}
	latest := map[string]float64{}
	latestDate := map[string]string{}
	var minutes int
	for _, d := range days {
		if d.Product != product || d.Analytics == nil {
			continue
		}
		a := d.Analytics
		s.Days++
		minutes += d.Minutes
		addUsage(&s.CPU, a.CPUPct)
		addUsage(&s.Memory, a.RSSMB)
		if len(a.Objects) > 0 {
			objectDays++
			for name, n := range a.Objects {
				perType[name] = append(perType[name], n)
			}
		}
		for name, n := range a.Views {
			views[name] += n
		}
		for name, v := range a.Settings {
			if d.Date >= latestDate[name] {
				latest[name], latestDate[name] = v, d.Date
			}
		}
	}
	for name, counts := range perType {
		// A day that did not count this type had none of it.
		for len(counts) < objectDays {
			counts = append(counts, 0)
		}
		if m := median(counts); m > 0 {
			s.Objects = append(s.Objects, localclient.Count{Name: name, Count: m})
		}
	}
	sort.Slice(s.Objects, func(i, j int) bool {
		a, b := s.Objects[i], s.Objects[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Name < b.Name
	})
	s.Hours = float64(minutes) / 60
	if minutes > 0 {
		for name, n := range views {
			r := float64(n) / s.Hours
			s.Views = append(s.Views, localclient.Rate{Name: name, PerHour: r})
			s.ViewsPerHour += r
		}
	}
	sort.Slice(s.Views, func(i, j int) bool {
		a, b := s.Views[i], s.Views[j]
		if a.PerHour != b.PerHour {
			return a.PerHour > b.PerHour
		}
		return a.Name < b.Name
	})
	for name, v := range latest {
		def, ok := defaults[name]
		if ok && def == v {
			continue
		}
		s.Settings = append(s.Settings, localclient.Setting{Name: name, Value: v, Default: def, HasDefault: ok})
	}
	sort.Slice(s.Settings, func(i, j int) bool { return s.Settings[i].Name < s.Settings[j].Name })
	return s
}

// median of counts, the lower middle one of an even number: a count of
// objects, not a mean of two.
func median(counts []int64) int64 {
	c := append([]int64(nil), counts...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c[(len(c)-1)/2]
}

// settingDefaults are the out-of-the-box values of the settings My Insights
// compares against, per product. AutoCAD's are its documented system
// variable defaults; a setting not listed is shown with no default.
var settingDefaults = map[string]map[string]float64{
	"AutoCAD": {
		"APERTURE":         10,
		"CMDDIA":           1,
		"CURSORSIZE":       5,
		"DYNMODE":          3,
		"FILEDIA":          1,
		"FILLMODE":         1,
		"ISAVEPERCENT":     50,
		"MIRRTEXT":         0,
		"ORTHOMODE":        0,
		"OSMODE":           4133,
		"PICKADD":          2,
		"PICKBOX":          3,
		"PICKFIRST":        1,
		"PROXYNOTICE":      1,
		"SAVETIME":         10,
		"SELECTIONPREVIEW": 3,
		"SNAPMODE":         0,
		"VISRETAIN":        1,
		"XLOADCTL":         2,
		"ZOOMFACTOR":       60,
	},
}
