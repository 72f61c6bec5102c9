package chart

import (
	"fmt"
	"sort"
	"time"

	"html/template"

	"teamlens/collector/internal/insights"
)

// Series is one line of DailyUsers: users per day (YYYY-MM-DD).
type Series struct {
	Name   string
	Points map[string]int64
}

const dayLayout = "2006-01-02"

// DailyUsers draws the distinct users per day of each product from from to
// to, one line per product (at most four, the busiest).
func DailyUsers(id string, series []Series, from, to string) template.HTML {
	sort.SliceStable(series, func(i, j int) bool { return total(series[i]) > total(series[j]) })
	if len(series) > 4 {
		series = series[:4]
	}
	return lines(id, "Daily active users per product", "Distinct users per day", "users", series, from, to)
}

// Point is one day of a team's seats: purchased, assigned, active.
type Point struct {
	Date                    string
	Seats, Assigned, Active int64
}

// Seats draws a team's purchased, assigned and active seats per day.
func Seats(id string, points []Point, from, to string) template.HTML {
	series := []Series{{Name: "Purchased", Points: map[string]int64{}}, {Name: "Assigned", Points: map[string]int64{}}, {Name: "Active", Points: map[string]int64{}}}
	for _, p := range points {
		series[0].Points[p.Date], series[1].Points[p.Date], series[2].Points[p.Date] = p.Seats, p.Assigned, p.Active
	}
	return lines(id, "Purchased, assigned and active seats", "Seats per day", "seats", series, from, to)
}

// lines draws one line per series over the days from from to to.
func lines(id, title, what, unit string, series []Series, from, to string) template.HTML {
	start, err1 := time.Parse(dayLayout, from)
	end, err2 := time.Parse(dayLayout, to)
	if err1 != nil || err2 != nil || end.Before(start) {
		return ""
	}
	days := int(end.Sub(start).Hours()/24) + 1
	var peak int64
	for _, s := range series {
		for _, v := range s.Points {
			peak = max(peak, v)
		}
	}
	// Whole users on every grid line.
	ymax := float64(4 * ((max(peak, 1) + 3) / 4))
	const w, h, left, right, top, bottom = 480, 200, 34, 10, 28, 26
	pw, ph := float64(w-left-right), float64(h-top-bottom)
	desc := fmt.Sprintf("%s from %s to %s.", what, from, to)
	for _, s := range series {
		desc += fmt.Sprintf(" %s: peak %d, on %d days.", s.Name, peakOf(s), len(s.Points))
	}
	g := newSVG(id, w, h, title, desc)
	for i := 0; i <= 4; i++ {
		y := float64(top) + ph - ph*float64(i)/4
		g.add(`<line class="axis" x1="%d" x2="%d" y1="%s" y2="%s"/>`, left, w-right, num(y), num(y))
		g.text(float64(left-6), y+4, "end", num(ymax*float64(i)/4))
	}
	x := func(i int) float64 { return float64(left) + pw*float64(i)/float64(max(days-1, 1)) }
	g.text(float64(left), float64(h-8), "start", from)
	g.text(float64(w-right), float64(h-8), "end", to)
	for si, s := range series {
		var pts []string
		for i := 0; i < days; i++ {
			v := s.Points[start.AddDate(0, 0, i).Format(dayLayout)]
			pts = append(pts, num(x(i))+","+num(float64(top)+ph-ph*float64(v)/ymax))
		}
		g.mark(fmt.Sprintf("%s: up to %d %s a day", s.Name, peakOf(s), unit))
		g.add(`<polyline class="s%d" points="%s"/></g>`, si, joinSpace(pts))
		lx := float64(left + 4 + si*110)
		g.add(`<rect class="f%d" x="%s" y="8" width="12" height="4"/>`, si, num(lx))
		g.text(lx+16, 14, "start", s.Name)
	}
	return g.end()
}

func total(s Series) int64 {
	var t int64
	for _, v := range s.Points {
		t += v
	}
	return t
}

func peakOf(s Series) int64 {
	var p int64
	for _, v := range s.Points {
		p = max(p, v)
	}
	return p
}

func joinSpace(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// Quartiles draws a product metric's collector-wide quartile band
// (p25-p75, the median marked) with the team's users counted per quartile
// and the team's mean placed on the same scale.
func Quartiles(id string, p insights.ProductPerformance) template.HTML {
	hi := p.P75 * 1.6
	if p.TeamMeanMS != nil {
		hi = max(hi, *p.TeamMeanMS*1.1)
	}
	hi = niceMax(hi)
	const w, h, left, right = 480, 128, 24, 24
	pw := float64(w - left - right)
	x := func(v float64) float64 { return float64(left) + pw*min(v, hi)/hi }
	title := fmt.Sprintf("%s %s time: your team among all users", p.Product, p.Metric)
	desc := fmt.Sprintf("Quartiles of every user's mean %s time: 25%% at %s, median %s, 75%% at %s. Your team's users: %d fastest quarter, %d second, %d third, %d slowest.",
		p.Metric, secs(p.P25), secs(p.P50), secs(p.P75), p.UsersByQuartile[0], p.UsersByQuartile[1], p.UsersByQuartile[2], p.UsersByQuartile[3])
	if p.TeamMeanMS != nil {
		desc += " Team mean " + secs(*p.TeamMeanMS) + "."
	}
	g := newSVG(id, w, h, title, desc)
	g.add(`<line class="axis" x1="%d" x2="%d" y1="50" y2="50"/>`, left, w-right)
	g.mark(fmt.Sprintf("middle half of all users: %s to %s, median %s", secs(p.P25), secs(p.P75), secs(p.P50)))
	g.add(`<rect class="band" x="%s" y="34" width="%s" height="32" rx="4"/>`, num(x(p.P25)), num(max(x(p.P75)-x(p.P25), 1)))
	g.add(`<line class="median" x1="%s" x2="%s" y1="30" y2="70"/></g>`, num(x(p.P50)), num(x(p.P50)))
	g.text(float64(left), 20, "start", fmt.Sprintf("middle half of all users %s to %s, median %s", secs(p.P25), secs(p.P75), secs(p.P50)))
	g.text(float64(left), 84, "start", "0 s")
	g.text(float64(w-right), 84, "end", secs(hi))
	// Quarters in fixed columns: their bounds can sit too close to label.
	names := []string{"fastest quarter", "second quarter", "third quarter", "slowest quarter"}
	for i, n := range p.UsersByQuartile {
		cx := float64(left) + pw*(float64(i)+0.5)/4
		g.mark(fmt.Sprintf("%s of your users in the %s", users(n), names[i]))
		g.text(cx, 104, "middle", names[i])
		g.text(cx, 120, "middle", users(n))
		g.add(`</g>`)
	}
	if p.TeamMeanMS != nil {
		tx := x(*p.TeamMeanMS)
		g.mark("team mean " + secs(*p.TeamMeanMS))
		g.add(`<circle class="team" cx="%s" cy="50" r="7"/>`, num(tx))
		g.text(tx, 84, "middle", "team "+secs(*p.TeamMeanMS))
		g.add(`</g>`)
	}
	return g.end()
}

func users(n int) string {
	if n == 1 {
		return "1 user"
	}
	return fmt.Sprintf("%d users", n)
}

func secs(ms float64) string { return fmt.Sprintf("%.1f s", ms/1000) }

// Categories draws the share of completed commands per category, the team
// beside its peers.
func Categories(id string, c insights.CommandUsage) template.HTML {
	const left, right, row, top = 80, 50, 30, 26
	w := 480
	h := top + row*len(c.Categories) + 8
	desc := fmt.Sprintf("Share of completed %s commands per category.", c.Product)
	for _, x := range c.Categories {
		desc += fmt.Sprintf(" %s: team %s, peers %s.", x.Category, pct(x.Share), pct(x.PeerShare))
	}
	g := newSVG(id, w, h, c.Product+" command usage: your team and its peers", desc)
	hi := 0.0
	for _, x := range c.Categories {
		hi = max(hi, x.Share, x.PeerShare)
	}
	hi = min(niceMax(hi), 1)
	pw := float64(w - left - right)
	g.add(`<rect class="team" x="%d" y="6" width="12" height="8"/>`, left)
	g.text(float64(left+16), 14, "start", "your team")
	g.add(`<rect class="peer" x="%d" y="6" width="12" height="8"/>`, left+110)
	g.text(float64(left+126), 14, "start", "other teams")
	for i, x := range c.Categories {
		y := float64(top + i*row)
		g.mark(fmt.Sprintf("%s: team %s (%d commands), peers %s", x.Category, pct(x.Share), x.Count, pct(x.PeerShare)))
		g.text(float64(left-8), y+15, "end", x.Category)
		g.add(`<rect class="team" x="%d" y="%s" width="%s" height="11"/>`, left, num(y+2), num(max(pw*x.Share/hi, 1)))
		g.add(`<rect class="peer" x="%d" y="%s" width="%s" height="9"/>`, left, num(y+14), num(max(pw*x.PeerShare/hi, 1)))
		g.text(float64(left)+pw*x.Share/hi+6, y+12, "start", pct(x.Share))
		g.add(`</g>`)
	}
	return g.end()
}

// Slice is one version of VersionShare.
type Slice struct {
	Label string
	Value int64
}

// VersionShare draws one product's user-days per version as a 100% bar,
// the biggest first.
func VersionShare(id, product string, slices []Slice) template.HTML {
	sort.SliceStable(slices, func(i, j int) bool { return slices[i].Value > slices[j].Value })
	var sum int64
	for _, s := range slices {
		sum += s.Value
	}
	if sum == 0 {
		return ""
	}
	const w, left, right = 480, 10, 10
	h := 56 + 18*((len(slices)+2)/3)
	desc := fmt.Sprintf("Share of %s user-days per version.", product)
	for _, s := range slices {
		desc += fmt.Sprintf(" %s: %s.", s.Label, pct(float64(s.Value)/float64(sum)))
	}
	g := newSVG(id, w, h, product+" versions in use", desc)
	pw := float64(w - left - right)
	x := float64(left)
	for i, s := range slices {
		share := float64(s.Value) / float64(sum)
		g.mark(fmt.Sprintf("%s: %s of user-days", s.Label, pct(share)))
		g.add(`<rect class="f%d" x="%s" y="8" width="%s" height="24"/></g>`, min(i, 4), num(x), num(max(pw*share, 1)))
		x += pw * share
		lx := float64(left + (i%3)*155)
		ly := float64(50 + 18*(i/3))
		g.add(`<rect class="f%d" x="%s" y="%s" width="10" height="10"/>`, min(i, 4), num(lx), num(ly-9))
		g.text(lx+14, ly, "start", fmt.Sprintf("%s %s", s.Label, pct(share)))
	}
	return g.end()
}
