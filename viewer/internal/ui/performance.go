package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

const benchmarksUnavailable = "Benchmarks unavailable: your agent has not received the collector-wide figures yet. Your own times are shown alone."

type performanceTab struct {
	v       *Viewer
	content fyne.CanvasObject
	off     *analyticsOff
	banner  *widget.Label
	body    *fyne.Container
}

func newPerformanceTab(v *Viewer) *performanceTab {
	t := &performanceTab{v: v, off: newAnalyticsOff(v, "startup, open and save times"), banner: note("Loading…"), body: container.NewVBox()}
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		heading("Where do I stand"),
		note("Your mean startup, open and save times over the last 90 days, beside the quartiles of every user reporting to your organisation's collector. Lower is faster."),
		t.off.content,
		t.banner,
		t.body,
	)))
	return t
}

func (t *performanceTab) reload() {
	t.body.RemoveAll()
	if t.off.show(t.v.me) {
		t.banner.Hide()
		return
	}
	t.banner.Show()
	load(t.v, t.v.client.Performance, t.show)
}

func (t *performanceTab) show(p localclient.Performance, err error) {
	t.body.RemoveAll()
	t.banner.Show()
	if err != nil {
		t.banner.SetText(t.v.problem("your performance figures", err))
		return
	}
	if p.BenchmarksFetchedAt == "" {
		t.banner.SetText(benchmarksUnavailable)
	} else {
		when := p.BenchmarksFetchedAt
		if ts, err := time.Parse(time.RFC3339, when); err == nil {
			when = ts.Local().Format("Jan 2, 15:04")
		}
		t.banner.SetText("Collector-wide benchmarks fetched " + when + ".")
	}
	any := false
	for _, pp := range p.Products {
		if pp.Startup != nil || pp.Open != nil || pp.Save != nil {
			any = true
		}
	}
	if !any {
		// Without times of one's own, the benchmarks' state is beside the point.
		t.banner.Hide()
		t.body.Add(note("No performance data yet: analytics are on, and your times appear here after you start AutoCAD or Revit and open and save a drawing."))
		return
	}
	for _, pp := range p.Products {
		var b wire.Benchmarks
		if pp.Benchmark != nil {
			b = *pp.Benchmark
		}
		fetched := p.BenchmarksFetchedAt != ""
		rows := container.NewVBox(
			metricRow("Startup", pp.Startup, b.Startup, fetched),
			widget.NewSeparator(),
			metricRow("Open", pp.Open, b.Open, fetched),
			widget.NewSeparator(),
			metricRow("Save", pp.Save, b.Save, fetched),
		)
		t.body.Add(widget.NewCard(pp.Name, "", rows))
	}
}

// metricRow shows one metric: my mean, and my standing when there are
// quartiles for it. fetched says whether the agent has the collector's
// figures at all: without quartiles, either too few users report the
// metric, or nothing was fetched yet.
func metricRow(name string, m *localclient.Measure, q *wire.Quartiles, fetched bool) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if m == nil {
		return container.NewBorder(nil, nil, fixedWidth(title, 90), nil, lowLabel("No data yet"))
	}
	mine := widget.NewLabel(fmt.Sprintf("Your mean %s over %s (fastest %s, slowest %s)",
		millis(m.MeanMS), plural(int(m.Count), "time", "times"), millis(float64(m.MinMS)), millis(float64(m.MaxMS))))
	mine.Wrapping = fyne.TextWrapWord
	var detail fyne.CanvasObject
	switch {
	case q != nil:
		detail = container.NewVBox(NewRangeChart(q.P25, q.P50, q.P75, m.MeanMS, millis), verdict(m.MeanMS, q))
	case fetched:
		detail = lowLabel(fmt.Sprintf("No collector-wide benchmark for this yet: it needs at least %d users reporting it.", wire.MinBenchmarkUsers))
	default:
		detail = lowLabel("No benchmark until your agent fetches the collector-wide figures.")
	}
	return container.NewBorder(nil, nil, fixedWidth(title, 90), nil, container.NewVBox(mine, detail))
}

// verdict is the standing in words, in the foreground colour: it is the
// answer of the screen, not a footnote.
func verdict(mean float64, q *wire.Quartiles) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(standing(mean, q), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	values := widget.NewLabel(fmt.Sprintf("Quartiles of %s: p25 %s · median %s · p75 %s",
		plural(q.Users, "user", "users"), millis(q.P25), millis(q.P50), millis(q.P75)))
	values.Wrapping = fyne.TextWrapWord
	return container.NewVBox(l, values)
}

func standing(mean float64, q *wire.Quartiles) string {
	users := plural(q.Users, "user", "users")
	switch localclient.Standing(mean, q) {
	case 1:
		return "Among the fastest quarter of " + users + "."
	case 2:
		return "Faster than the median of " + users + "."
	case 3:
		return "Slower than the median of " + users + ", within the middle half."
	case 4:
		return "Among the slowest quarter of " + users + ": an update, lighter templates or a faster disk may help."
	}
	return ""
}

// lowLabel is a secondary line: italic in the foreground colour, since
// Fyne's low importance grey is hard to read in both themes.
// emptyLabel says a list is empty; centred, so it must not wrap (a
// wrapping label in a centring container gets no width at all).
func emptyLabel(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
}

func lowLabel(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

func fixedWidth(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}
