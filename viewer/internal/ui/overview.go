package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/localclient"
)

const noInsightsYet = "No usage yet in this period"

var ranges = []struct {
	label string
	days  int
}{{"Last 30 days", 30}, {"Last 3 months", 90}, {"Last 12 months", 365}}

type overviewTab struct {
	v       *Viewer
	days    int
	content fyne.CanvasObject
	stats   [4]*canvas.Text
	chart   *BarChart
	legend  *fyne.Container
	table   *fyne.Container
	message *widget.Label
	// data is the chart and the table, hidden while there is no usage.
	data *fyne.Container
}

func newOverviewTab(v *Viewer) *overviewTab {
	t := &overviewTab{v: v, days: 30}
	labels := make([]string, len(ranges))
	for i, r := range ranges {
		labels[i] = r.label
	}
	period := widget.NewRadioGroup(labels, func(s string) {
		for _, r := range ranges {
			if r.label == s && r.days != t.days {
				t.days = r.days
				t.reload()
			}
		}
	})
	period.Horizontal = true
	period.Required = true
	period.SetSelected(ranges[0].label)

	captions := []string{"Time in products", "Active days", "Sessions", "Products used"}
	cards := make([]fyne.CanvasObject, len(captions))
	for i, c := range captions {
		t.stats[i] = canvas.NewText("–", theme.Color(theme.ColorNameForeground))
		t.stats[i].TextSize = 24
		t.stats[i].TextStyle.Bold = true
		cap := widget.NewLabel(c)
		cards[i] = widget.NewCard("", "", container.NewVBox(t.stats[i], cap))
	}
	t.chart = NewBarChart(hours, noInsightsYet)
	t.legend = container.NewHBox()
	t.table = container.NewVBox()
	t.message = note("Loading…")
	t.data = container.NewVBox(
		container.NewStack(t.chart),
		t.legend,
		widget.NewSeparator(),
		heading("Products"),
		t.table,
	)
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		container.NewHBox(heading("Time in each product"), layout.NewSpacer(), period),
		container.NewGridWithColumns(4, cards...),
		t.message,
		t.data,
	)))
	return t
}

func (t *overviewTab) reload() {
	days := t.days
	load(t.v, func(ctx context.Context) (localclient.Overview, error) {
		return t.v.client.Overview(ctx, days)
	}, func(ov localclient.Overview, err error) {
		if days != t.days {
			return // the period changed while this loaded
		}
		t.show(ov, err)
	})
}

func (t *overviewTab) show(ov localclient.Overview, err error) {
	if err != nil {
		t.message.SetText(t.v.problem("your usage", err))
		t.message.Show()
		t.data.Hide()
		return
	}
	values := []string{duration(ov.Minutes), thousands(int64(ov.ActiveDays)), thousands(int64(ov.Sessions)), fmt.Sprint(len(ov.Products))}
	for i, s := range values {
		t.stats[i].Text = s
		t.stats[i].Refresh()
	}
	if len(ov.Products) == 0 {
		t.message.SetText(noInsightsYet + ". Teamlens records the time you spend in your CAD products on this computer: it shows here after your first session.")
		t.message.Show()
		t.data.Hide()
		return
	}
	t.message.Hide()
	t.data.Show()
	// Hours make round scale steps, unless no day reaches an hour.
	unit, format := 60.0, hours
	if maxDay(ov) < 60 {
		unit, format = 1, minutes
	}
	t.chart.format = format
	series := make([]Series, len(ov.Products))
	t.legend.RemoveAll()
	for i, p := range ov.Products {
		vals := make([]float64, len(p.Daily))
		for j, m := range p.Daily {
			vals[j] = float64(m) / unit
		}
		series[i] = Series{Name: p.Name, Color: productColor(i), Values: vals}
		sw := canvas.NewRectangle(productColor(i))
		sw.CornerRadius = 2
		sw.SetMinSize(fyne.NewSize(12, 12))
		t.legend.Add(container.NewHBox(container.NewCenter(sw), widget.NewLabel(p.Name)))
	}
	t.chart.Set(dateLabels(ov.From, ov.Days), series)

	t.table.RemoveAll()
	row := func(cells ...fyne.CanvasObject) { t.table.Add(container.NewGridWithColumns(len(cells), cells...)) }
	bold := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	row(bold("Product"), bold("Time"), bold("Active days"), bold("Sessions"), bold("Versions"), bold("Insights"))
	for _, p := range ov.Products {
		kind := "Usage time only"
		if p.Insights {
			kind = "Full insights"
		}
		row(widget.NewLabel(p.Name), widget.NewLabel(duration(p.Minutes)), widget.NewLabel(thousands(int64(p.ActiveDays))),
			widget.NewLabel(thousands(int64(p.Sessions))), widget.NewLabel(strings.Join(p.Versions, ", ")), widget.NewLabel(kind))
	}
}

// maxDay is the most minutes of any day of the window, all products.
func maxDay(ov localclient.Overview) int {
	best := 0
	for i := range ov.Days {
		day := 0
		for _, p := range ov.Products {
			if i < len(p.Daily) {
				day += p.Daily[i]
			}
		}
		best = max(best, day)
	}
	return best
}
