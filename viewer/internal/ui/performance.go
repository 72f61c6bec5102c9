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
	banner  *widget.Label
	body    *fyne.Container
}

func newPerformanceTab(v *Viewer) *performanceTab {
	t := &performanceTab{v: v, banner: note("Loading…"), body: container.NewVBox()}
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		heading("Where do I stand"),
		note("Your mean startup, open and save times over the last 90 days, beside the quartiles of every user reporting to your organisation's collector. Lower is faster."),
		t.banner,
		t.body,
	)))
	return t
}

func (t *performanceTab) reload() {
	load(t.v, t.v.client.Performance, t.show)
}

func (t *performanceTab) show(p localclient.Performance, err error) {
	t.body.RemoveAll()
	if err != nil {
		t.banner.SetText("Could not load your performance figures: " + err.Error())
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
		t.body.Add(note("No performance data yet: turn analytics on in the Privacy tab, then start AutoCAD or Revit and open and save a drawing."))
	}
	for _, pp := range p.Products {
		var bStartup, bSave *wire.Quartiles
		if pp.Benchmark != nil {
			bStartup, bSave = pp.Benchmark.Startup, pp.Benchmark.Save
		}
		rows := container.NewVBox(
			metricRow("Startup", pp.Startup, bStartup, pp.Benchmark != nil),
			widget.NewSeparator(),
			metricRow("Open", pp.Open, nil, false),
			widget.NewSeparator(),
			metricRow("Save", pp.Save, bSave, pp.Benchmark != nil),
		)
		t.body.Add(widget.NewCard(pp.Name, "", rows))
	}
}

// metricRow shows one metric: my mean, and my standing when there are
// quartiles for it.
func metricRow(name string, m *localclient.Measure, q *wire.Quartiles, haveBench bool) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if m == nil {
		return container.NewBorder(nil, nil, fixedWidth(title, 90), nil, lowLabel("No data yet"))
	}
	mine := widget.NewLabel(fmt.Sprintf("Your mean %s over %s (fastest %s, slowest %s)",
		millis(m.MeanMS), plural(int(m.Count), "time", "times"), millis(float64(m.MinMS)), millis(float64(m.MaxMS))))
	var detail fyne.CanvasObject
	switch {
	case q != nil:
		detail = container.NewVBox(NewRangeChart(q.P25, q.P50, q.P75, m.MeanMS, millis), lowLabel(standing(m.MeanMS, q)))
	case haveBench && name != "Open":
		detail = lowLabel("Not enough users report this yet for a benchmark.")
	case name != "Open":
		detail = lowLabel("Benchmark unavailable")
	default:
		detail = lowLabel("No collector-wide benchmark for opening")
	}
	return container.NewBorder(nil, nil, fixedWidth(title, 90), nil, container.NewVBox(mine, detail))
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

func lowLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

func fixedWidth(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}
