package ui

import (
	"context"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/localclient"
)

// drawingDays is the window of "My drawings", the same 90 days as the
// performance figures.
const drawingDays = 90

// drawingsTab shows what the agent records about a user's drawings for
// users who opted in: object types, view changes, changed settings.
type drawingsTab struct {
	v        *Viewer
	content  fyne.CanvasObject
	product  *widget.Select
	off      *analyticsOff
	summary  *widget.Label
	data     *fyne.Container
	objects  *HBarChart
	views    *HBarChart
	viewNote *widget.Label
	settings *fyne.Container
	machine  *widget.Label
}

func newDrawingsTab(v *Viewer) *drawingsTab {
	t := &drawingsTab{v: v}
	t.product = widget.NewSelect(nil, func(string) { t.reload() })
	t.product.PlaceHolder = "Product"
	t.off = newAnalyticsOff(v, "figures about your drawings")
	t.summary = note("Loading…")
	t.objects = NewHBarChart(productColor(0), "No object counts")
	t.views = NewHBarChart(productColor(3), "No view changes")
	t.viewNote = note("")
	t.settings = container.NewVBox()
	t.machine = widget.NewLabel("")
	t.machine.Wrapping = fyne.TextWrapWord
	t.data = container.NewVBox(
		container.NewGridWithColumns(2,
			container.NewVBox(heading("Object types in a typical drawing"),
				lowLabel("The median count of each type in the drawings of a day."), t.objects),
			container.NewVBox(heading("View changes per hour"), t.viewNote, t.views)),
		heading("Settings that differ from the defaults"),
		t.settings,
		heading("Your workstation while you worked"),
		t.machine,
	)
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		container.NewHBox(heading("My drawings"), layout.NewSpacer(), sized(t.product, "Product")),
		t.off.content,
		t.summary,
		t.data,
	)))
	return t
}

func (t *drawingsTab) setProducts(products []localclient.Product) {
	var names []string
	for _, p := range products {
		if p.Insights {
			names = append(names, p.Name)
		}
	}
	t.product.SetOptions(names)
	if len(names) > 0 && t.product.Selected == "" {
		t.product.SetSelected(names[0]) // loads through OnChanged
		return
	}
	t.reload()
}

func (t *drawingsTab) reload() {
	product := t.product.Selected
	if product == "" || t.v.me == nil {
		return
	}
	if t.off.show(t.v.me) {
		t.summary.Hide()
		t.data.Hide()
		return
	}
	load(t.v, func(ctx context.Context) (localclient.Drawings, error) {
		return t.v.client.Drawings(ctx, product, drawingDays)
	}, func(s localclient.Drawings, err error) {
		if product != t.product.Selected {
			return // the choice changed while this loaded
		}
		t.show(product, s, err)
	})
}

// show draws the figures the agent summed (GET /v1/insights/drawings).
func (t *drawingsTab) show(product string, s localclient.Drawings, err error) {
	t.summary.Show()
	if err != nil {
		t.summary.SetText(t.v.problem("your drawing figures", err))
		t.data.Hide()
		return
	}
	if len(s.Objects) == 0 && len(s.Views) == 0 && len(s.Settings) == 0 && s.CPU.Samples == 0 && s.Memory.Samples == 0 {
		t.summary.SetText(fmt.Sprintf("No drawing figures for %s yet: analytics are on, and object counts, view changes and settings appear here once %s reports them.", product, product))
		t.data.Hide()
		return
	}
	t.data.Show()
	t.summary.SetText(fmt.Sprintf("From %s of %s over the last %d days.", plural(s.Days, "day", "days"), product, drawingDays))
	objs := make([]Bar, 0, 10)
	for _, o := range s.Objects {
		if len(objs) == cap(objs) {
			break
		}
		objs = append(objs, Bar{Label: o.Name, Value: float64(o.Count), Text: thousands(o.Count)})
	}
	t.objects.Set(objs)
	views := make([]Bar, 0, 8)
	for _, r := range s.Views {
		if len(views) == cap(views) {
			break
		}
		views = append(views, Bar{Label: r.Name, Value: r.PerHour, Text: perHour(r.PerHour)})
	}
	t.views.Set(views)
	t.viewNote.SetText(fmt.Sprintf("%s view changes per hour over %s in %s.", perHour(s.ViewsPerHour), hours(s.Hours), product))
	t.showSettings(s.Settings)
	t.machine.SetText(machineText(product, s.CPU, s.Memory))
}

// machineText says what the product's process used, from the agent's
// samples of it.
func machineText(product string, cpu, mem localclient.Usage) string {
	if cpu.Samples == 0 && mem.Samples == 0 {
		return fmt.Sprintf("No samples of %s's processor and memory use yet.", product)
	}
	return fmt.Sprintf("%s used on average %s%% of one processor core (at most %s%%) and %s MB of memory (at most %s MB), from %s samples taken while it ran.",
		product, perHour(cpu.Mean), thousands(int64(cpu.Peak)), thousands(int64(mem.Mean+0.5)), thousands(int64(mem.Peak)), thousands(cpu.Samples))
}

func (t *drawingsTab) showSettings(settings []localclient.Setting) {
	t.settings.RemoveAll()
	if len(settings) == 0 {
		t.settings.Add(lowLabel("Every setting reported is at its default."))
		return
	}
	bold := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	row := func(name, yours, def fyne.CanvasObject) {
		t.settings.Add(container.NewHBox(fixedWidth(name, 220), fixedWidth(yours, 140), fixedWidth(def, 140)))
	}
	row(bold("Setting"), bold("Yours"), bold("Default"))
	for _, s := range settings {
		def := "not known"
		if s.HasDefault {
			def = number(s.Default)
		}
		row(widget.NewLabel(s.Name), widget.NewLabel(number(s.Value)), widget.NewLabel(def))
	}
	t.settings.Add(widget.NewLabelWithStyle("Settings are reported as numbers; on/off settings as 1 and 0.",
		fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
}

// perHour writes a rate with one decimal below ten.
func perHour(r float64) string {
	if r < 10 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return thousands(int64(r + 0.5))
}

// number writes a setting value as the product shows it: 4133, not 4,133.
func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
