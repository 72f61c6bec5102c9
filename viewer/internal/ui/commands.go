package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/catalog"
	"teamlens/shared/localclient"
)

var commandPeriods = []struct {
	label string
	days  int
}{{"Last 30 days", 30}, {"Last 3 months", 90}}

type commandsTab struct {
	v          *Viewer
	content    fyne.CanvasObject
	product    *widget.Select
	days       int
	summary    *widget.Label
	off        *analyticsOff
	data       *fyne.Container
	categories *HBarChart
	weekly     *BarChart
	top        *HBarChart
	sequences  *fyne.Container
}

func newCommandsTab(v *Viewer) *commandsTab {
	t := &commandsTab{v: v, days: 90}
	t.product = widget.NewSelect(nil, func(string) { t.reload() })
	t.product.PlaceHolder = "Product"
	labels := make([]string, len(commandPeriods))
	for i, p := range commandPeriods {
		labels[i] = p.label
	}
	period := widget.NewSelect(labels, func(s string) {
		for _, p := range commandPeriods {
			if p.label == s && p.days != t.days {
				t.days = p.days
				t.reload()
			}
		}
	})
	period.SetSelected("Last 3 months")
	t.summary = note("Loading…")
	t.off = newAnalyticsOff(v, "command insights")
	t.categories = NewHBarChart(theme.Color(theme.ColorNamePrimary), "No commands")
	t.top = NewHBarChart(productColor(2), "No commands")
	t.weekly = NewBarChart(count, "No commands")
	t.sequences = container.NewVBox()
	t.data = container.NewVBox(
		container.NewGridWithColumns(2,
			container.NewVBox(heading("By category"), t.categories),
			container.NewVBox(heading("Top commands"), t.top)),
		heading("Completed commands per week"),
		t.weekly,
		heading("Suggestions from your command sequences"),
		t.sequences,
	)
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		container.NewHBox(heading("My commands"), layout.NewSpacer(), sized(t.product, "Product"), sized(period, labels...)),
		t.off.content,
		t.summary,
		t.data,
	)))
	return t
}

// sized keeps a drop-down as wide as its longest choice, which an HBox
// would otherwise squeeze to "Last 3 mon…".
func sized(s *widget.Select, choices ...string) fyne.CanvasObject {
	w := float32(0)
	for _, c := range append(choices, s.Options...) {
		w = max(w, fyne.MeasureText(c, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	// Room for the padding and the drop-down arrow.
	w += 4*theme.Padding() + theme.IconInlineSize() + 2*theme.InnerPadding()
	return container.NewGridWrap(fyne.NewSize(w, s.MinSize().Height), s)
}

// setProducts offers the insights products of the catalog; the others
// have usage time only.
func (t *commandsTab) setProducts(products []localclient.Product) {
	var names []string
	for _, p := range products {
		if p.Insights {
			names = append(names, p.Name)
		}
	}
	t.product.SetOptions(names)
	if len(names) == 0 {
		t.summary.SetText("No product of this computer's catalog has command insights.")
		t.data.Hide()
		return
	}
	if t.product.Selected == "" {
		t.product.SetSelected(names[0]) // loads through OnChanged
		return
	}
	t.reload()
}

func (t *commandsTab) reload() {
	product, days := t.product.Selected, t.days
	if product == "" || t.v.me == nil {
		return
	}
	if t.off.show(t.v.me) {
		t.summary.Hide()
		t.data.Hide()
		return
	}
	load(t.v, func(ctx context.Context) (localclient.Commands, error) {
		return t.v.client.Commands(ctx, product, days)
	}, func(c localclient.Commands, err error) {
		if product != t.product.Selected || days != t.days {
			return // the choice changed while this loaded
		}
		t.show(c, err)
	})
}

func (t *commandsTab) show(c localclient.Commands, err error) {
	t.sequences.RemoveAll()
	t.summary.Show()
	switch {
	case err != nil:
		t.summary.SetText(t.v.problem("your commands", err))
		t.data.Hide()
		return
	case c.Total == 0:
		t.summary.SetText(fmt.Sprintf("No %s commands yet in this period: analytics are on, and your command insights appear here after your next %s session.", c.Product, c.Product))
		t.data.Hide()
		return
	}
	t.data.Show()
	t.summary.SetText(fmt.Sprintf("%s completed %s commands from %s to %s.", thousands(c.Total), c.Product, shortDate(c.From), shortDate(c.To)))
	cats := make([]Bar, len(c.Categories))
	for i, cc := range c.Categories {
		cats[i] = Bar{Label: cc.Category, Value: float64(cc.Count), Text: fmt.Sprintf("%s · %.0f%%", thousands(cc.Count), cc.Share*100)}
	}
	t.categories.Set(cats)
	top := make([]Bar, len(c.Top))
	for i, cc := range c.Top {
		top[i] = Bar{Label: cc.Name, Value: float64(cc.Count), Text: fmt.Sprintf("%s · %s", thousands(cc.Count), cc.Category)}
	}
	t.top.Set(top)
	labels := make([]string, len(c.Weekly))
	vals := make([]float64, len(c.Weekly))
	for i, w := range c.Weekly {
		labels[i] = "wk " + shortDate(w.Week)
		vals[i] = float64(w.Count)
	}
	t.weekly.Set(labels, []Series{{Name: "Commands", Color: theme.Color(theme.ColorNamePrimary), Values: vals}})
	if len(c.Sequences) == 0 {
		t.sequences.Add(lowLabel("No repeated sequences yet: when you often run one command right after another, a suggestion appears here."))
		return
	}
	tips := suggestions(c.Product, c.Sequences, catalog.Builtin())
	for i, s := range c.Sequences {
		t.sequences.Add(widget.NewCard("", "", container.NewBorder(nil, nil,
			widget.NewIcon(theme.InfoIcon()), nil,
			container.NewVBox(
				widget.NewLabelWithStyle(fmt.Sprintf("%s → %s  (%s)", s.First, s.Second, plural(s.Count, "time", "times")),
					fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
				note(tips[i])))))
	}
}
