package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/localclient"
)

const noCommandsYet = "No command insights yet: turn analytics on in the Privacy tab; data appears after your first session"

type commandsTab struct {
	v          *Viewer
	content    fyne.CanvasObject
	product    *widget.Select
	days       int
	summary    *widget.Label
	categories *HBarChart
	weekly     *BarChart
	top        *HBarChart
	sequences  *fyne.Container
}

func newCommandsTab(v *Viewer) *commandsTab {
	t := &commandsTab{v: v, days: 90}
	t.product = widget.NewSelect(nil, func(string) { t.reload() })
	t.product.PlaceHolder = "Product"
	period := widget.NewSelect([]string{"Last 30 days", "Last 3 months"}, func(s string) {
		d := 90
		if s == "Last 30 days" {
			d = 30
		}
		if d != t.days {
			t.days = d
			t.reload()
		}
	})
	period.SetSelected("Last 3 months")
	t.summary = note("Loading…")
	primary := theme.Color(theme.ColorNamePrimary)
	t.categories = NewHBarChart(primary, noCommandsYet)
	t.top = NewHBarChart(productColor(2), "No commands yet")
	t.weekly = NewBarChart(count, "No commands yet")
	t.sequences = container.NewVBox()
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		container.NewHBox(heading("My commands"), layout.NewSpacer(), t.product, period),
		t.summary,
		container.NewGridWithColumns(2,
			container.NewVBox(heading("By category"), t.categories),
			container.NewVBox(heading("Top commands"), t.top)),
		heading("Completed commands per week"),
		t.weekly,
		heading("Suggestions from your command sequences"),
		t.sequences,
	)))
	return t
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
		t.summary.SetText("Command insights are unavailable until the agent answers.")
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
	if product == "" {
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
	if err != nil {
		t.summary.SetText("Could not load your commands: " + err.Error())
		return
	}
	if c.Total == 0 {
		t.summary.SetText(noCommandsYet + ".")
	} else {
		t.summary.SetText(fmt.Sprintf("%d completed %s commands from %s to %s.", c.Total, c.Product, shortDate(c.From), shortDate(c.To)))
	}
	cats := make([]Bar, len(c.Categories))
	for i, cc := range c.Categories {
		cats[i] = Bar{Label: cc.Category, Value: float64(cc.Count), Text: fmt.Sprintf("%d · %.0f%%", cc.Count, cc.Share*100)}
	}
	t.categories.Set(cats)
	top := make([]Bar, len(c.Top))
	for i, cc := range c.Top {
		top[i] = Bar{Label: cc.Name, Value: float64(cc.Count), Text: fmt.Sprintf("%d · %s", cc.Count, cc.Category)}
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
	for _, s := range c.Sequences {
		t.sequences.Add(widget.NewCard("", "", container.NewBorder(nil, nil,
			widget.NewIcon(theme.InfoIcon()), nil,
			container.NewVBox(
				widget.NewLabelWithStyle(fmt.Sprintf("%s → %s  (%s)", s.First, s.Second, plural(s.Count, "time", "times")),
					fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
				note(s.Suggestion)))))
	}
}
