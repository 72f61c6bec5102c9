package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The charts are drawn from canvas primitives and rebuilt on every layout:
// at most a few hundred rectangles, cheaper than keeping them in step.

// Series is one stacked layer of a bar chart.
type Series struct {
	Name   string
	Color  color.Color
	Values []float64 // one per slot
}

// BarChart draws stacked vertical bars, one slot per label, with a y scale
// and the first, middle and last x labels: readable with one slot or 366.
type BarChart struct {
	widget.BaseWidget
	labels []string
	series []Series
	format func(float64) string
	empty  string
}

// NewBarChart returns an empty chart; format writes y values, empty is
// said while there is nothing to draw.
func NewBarChart(format func(float64) string, empty string) *BarChart {
	c := &BarChart{format: format, empty: empty}
	c.ExtendBaseWidget(c)
	return c
}

// Set replaces the data and redraws.
func (c *BarChart) Set(labels []string, series []Series) {
	c.labels, c.series = labels, series
	c.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (c *BarChart) CreateRenderer() fyne.WidgetRenderer {
	return &chartRenderer{min: fyne.NewSize(240, 180), build: c.build, widget: c}
}

func (c *BarChart) total(i int) float64 {
	var t float64
	for _, s := range c.series {
		if i < len(s.Values) {
			t += s.Values[i]
		}
	}
	return t
}

func (c *BarChart) build(size fyne.Size) []fyne.CanvasObject {
	n := len(c.labels)
	var max float64
	for i := range n {
		max = math.Max(max, c.total(i))
	}
	if n == 0 || max <= 0 {
		return emptyState(size, c.empty)
	}
	fg := theme.Color(theme.ColorNameForeground)
	muted := theme.Color(theme.ColorNamePlaceHolder)
	grid := theme.Color(theme.ColorNameSeparator)
	const left, bottom, top = 64, 22, 8
	plotW, plotH := size.Width-left-4, size.Height-bottom-top
	if plotW < 10 || plotH < 10 {
		return nil
	}
	scale := niceCeil(max)
	var objs []fyne.CanvasObject
	for _, f := range []float64{0, 0.5, 1} {
		y := top + plotH*float32(1-f)
		l := canvas.NewLine(grid)
		l.StrokeWidth = 1
		l.Position1, l.Position2 = fyne.NewPos(left, y), fyne.NewPos(left+plotW, y)
		t := canvas.NewText(c.format(scale*f), muted)
		t.TextSize = 11
		t.Alignment = fyne.TextAlignTrailing
		t.Move(fyne.NewPos(0, y-8))
		t.Resize(fyne.NewSize(left-8, 16))
		objs = append(objs, l, t)
	}
	slot := plotW / float32(n)
	barW := float32(math.Min(float64(slot*0.72), 56))
	if barW < 1 {
		barW = 1
	}
	for i := range n {
		x := left + slot*float32(i) + (slot-barW)/2
		y := top + plotH
		for _, s := range c.series {
			if i >= len(s.Values) || s.Values[i] <= 0 {
				continue
			}
			h := plotH * float32(s.Values[i]/scale)
			r := canvas.NewRectangle(s.Color)
			r.Move(fyne.NewPos(x, y-h))
			r.Resize(fyne.NewSize(barW, h))
			objs = append(objs, r)
			y -= h
		}
	}
	for _, i := range labelSlots(n) {
		t := canvas.NewText(c.labels[i], fg)
		t.TextSize = 11
		t.Alignment = fyne.TextAlignCenter
		w := float32(90)
		x := left + slot*float32(i) + slot/2 - w/2
		x = float32(math.Max(float64(left-20), math.Min(float64(x), float64(size.Width-w))))
		t.Move(fyne.NewPos(x, top+plotH+4))
		t.Resize(fyne.NewSize(w, 16))
		objs = append(objs, t)
	}
	return objs
}

// labelSlots picks the x labels to write: all of a few, else first,
// middle and last.
func labelSlots(n int) []int {
	if n <= 4 {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	return []int{0, n / 2, n - 1}
}

// niceCeil rounds a maximum up to a round number whose half is round too,
// in steps fine enough that the tallest bar fills most of the height:
// 2,200 gets a scale of 2,500, not 5,000.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// Bar is one row of a horizontal bar chart.
type Bar struct {
	Label string
	Value float64
	Text  string // written after the bar
}

// HBarChart draws labelled horizontal bars, largest first as given.
type HBarChart struct {
	widget.BaseWidget
	bars  []Bar
	color color.Color
	empty string
}

// NewHBarChart returns an empty chart.
func NewHBarChart(c color.Color, empty string) *HBarChart {
	h := &HBarChart{color: c, empty: empty}
	h.ExtendBaseWidget(h)
	return h
}

// Set replaces the bars and redraws.
func (h *HBarChart) Set(bars []Bar) {
	h.bars = bars
	h.Refresh()
}

const hbarRow = 26

// CreateRenderer implements fyne.Widget.
func (h *HBarChart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{build: h.build, widget: h}
	r.minFn = func() fyne.Size {
		return fyne.NewSize(260, float32(max(len(h.bars), 2))*hbarRow)
	}
	return r
}

func (h *HBarChart) build(size fyne.Size) []fyne.CanvasObject {
	var max float64
	for _, b := range h.bars {
		max = math.Max(max, b.Value)
	}
	if len(h.bars) == 0 || max <= 0 {
		return emptyState(size, h.empty)
	}
	fg := theme.Color(theme.ColorNameForeground)
	track := theme.Color(theme.ColorNameInputBackground)
	const labelW, textW = 110, 110
	barMax := size.Width - labelW - textW - 16
	if barMax < 10 {
		return nil
	}
	var objs []fyne.CanvasObject
	for i, b := range h.bars {
		y := float32(i) * hbarRow
		l := canvas.NewText(b.Label, fg)
		l.TextSize = 13
		l.Move(fyne.NewPos(0, y+4))
		l.Resize(fyne.NewSize(labelW, 18))
		bg := canvas.NewRectangle(track)
		bg.CornerRadius = 3
		bg.Move(fyne.NewPos(labelW, y+5))
		bg.Resize(fyne.NewSize(barMax, hbarRow-10))
		w := float32(b.Value/max) * barMax
		bar := canvas.NewRectangle(h.color)
		bar.CornerRadius = 3
		bar.Move(fyne.NewPos(labelW, y+5))
		bar.Resize(fyne.NewSize(float32(math.Max(float64(w), 2)), hbarRow-10))
		t := canvas.NewText(b.Text, fg)
		t.TextSize = 12
		t.Move(fyne.NewPos(labelW+barMax+8, y+5))
		t.Resize(fyne.NewSize(textW, 16))
		objs = append(objs, l, bg, bar, t)
	}
	return objs
}

// RangeChart places one value among quartiles: a track, the p25–p75 box,
// the median and a marker for the value.
type RangeChart struct {
	widget.BaseWidget
	p25, p50, p75, me float64
	format            func(float64) string
}

// NewRangeChart returns a chart of me among the quartiles.
func NewRangeChart(p25, p50, p75, me float64, format func(float64) string) *RangeChart {
	r := &RangeChart{p25: p25, p50: p50, p75: p75, me: me, format: format}
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *RangeChart) CreateRenderer() fyne.WidgetRenderer {
	return &chartRenderer{min: fyne.NewSize(280, 36+2*rangeRowHeight), build: r.build, widget: r}
}

const (
	rangeLabelSize = 10
	rangeRowHeight = 14
)

// placedLabel is a quartile label laid out under the track.
type placedLabel struct {
	text string
	x, w float32
	row  int
}

// quartileLabels centres each label under its value and, where it would
// overlap one already placed, moves it to the second row; a label that
// fits in neither is left out (the verdict line under the chart states
// all three values), so close quartiles never print over each other.
func quartileLabels(width float32, x func(float64) float32, values []float64, texts []string) []placedLabel {
	const gap = 6
	var rows [2][]placedLabel
	var out []placedLabel
	for i, text := range texts {
		w := fyne.MeasureText(text, rangeLabelSize, fyne.TextStyle{}).Width
		l := placedLabel{text: text, w: w, x: clamp(x(values[i])-w/2, 0, width-w)}
		for row := range rows {
			free := true
			for _, o := range rows[row] {
				if l.x < o.x+o.w+gap && o.x < l.x+l.w+gap {
					free = false
				}
			}
			if free {
				l.row = row
				rows[row] = append(rows[row], l)
				out = append(out, l)
				break
			}
		}
	}
	return out
}

func clamp(v, lo, hi float32) float32 {
	return max(lo, min(v, hi))
}

func (r *RangeChart) build(size fyne.Size) []fyne.CanvasObject {
	lo := math.Min(r.p25*0.5, r.me*0.8)
	hi := math.Max(r.p75*1.5, r.me*1.2)
	if hi <= lo {
		hi = lo + 1
	}
	const pad = 40
	w := size.Width - 2*pad
	if w < 10 {
		return nil
	}
	x := func(v float64) float32 { return pad + w*float32((v-lo)/(hi-lo)) }
	fg := theme.Color(theme.ColorNameForeground)
	muted := theme.Color(theme.ColorNamePlaceHolder)
	primary := theme.Color(theme.ColorNamePrimary)
	const mid = 22
	track := canvas.NewLine(theme.Color(theme.ColorNameSeparator))
	track.StrokeWidth = 2
	track.Position1, track.Position2 = fyne.NewPos(pad, mid), fyne.NewPos(pad+w, mid)
	box := canvas.NewRectangle(withAlpha(primary, 0x50))
	box.CornerRadius = 3
	box.Move(fyne.NewPos(x(r.p25), mid-9))
	box.Resize(fyne.NewSize(x(r.p75)-x(r.p25), 18))
	median := canvas.NewLine(primary)
	median.StrokeWidth = 2
	median.Position1, median.Position2 = fyne.NewPos(x(r.p50), mid-9), fyne.NewPos(x(r.p50), mid+9)
	objs := []fyne.CanvasObject{track, box, median}
	for _, l := range quartileLabels(size.Width, x, []float64{r.p25, r.p50, r.p75}, []string{
		"p25 " + r.format(r.p25), "median " + r.format(r.p50), "p75 " + r.format(r.p75)}) {
		t := canvas.NewText(l.text, muted)
		t.TextSize = rangeLabelSize
		t.Move(fyne.NewPos(l.x, mid+12+float32(l.row)*rangeRowHeight))
		t.Resize(fyne.NewSize(l.w, rangeRowHeight))
		objs = append(objs, t)
	}
	if r.me > 0 {
		mark := canvas.NewCircle(accent)
		mark.StrokeColor = fg
		mark.StrokeWidth = 1
		mark.Move(fyne.NewPos(x(r.me)-6, mid-6))
		mark.Resize(fyne.NewSize(12, 12))
		t := canvas.NewText("you "+r.format(r.me), fg)
		t.TextSize = 11
		t.TextStyle.Bold = true
		w := fyne.MeasureText(t.Text, t.TextSize, t.TextStyle).Width
		t.Move(fyne.NewPos(clamp(x(r.me)-w/2, 0, size.Width-w), mid-24))
		t.Resize(fyne.NewSize(w, 14))
		objs = append(objs, mark, t)
	}
	return objs
}

func emptyState(size fyne.Size, msg string) []fyne.CanvasObject {
	t := canvas.NewText(msg, theme.Color(theme.ColorNamePlaceHolder))
	t.Alignment = fyne.TextAlignCenter
	t.TextSize = 13
	t.Move(fyne.NewPos(0, size.Height/2-10))
	t.Resize(fyne.NewSize(size.Width, 20))
	return []fyne.CanvasObject{t}
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// chartRenderer lays a chart out by building its primitives for the size.
type chartRenderer struct {
	widget fyne.Widget
	build  func(fyne.Size) []fyne.CanvasObject
	min    fyne.Size
	minFn  func() fyne.Size
	objs   []fyne.CanvasObject
	size   fyne.Size
}

func (r *chartRenderer) Layout(size fyne.Size) {
	r.size = size
	r.objs = r.build(size)
}

func (r *chartRenderer) MinSize() fyne.Size {
	if r.minFn != nil {
		return r.minFn()
	}
	return r.min
}

func (r *chartRenderer) Refresh() {
	r.Layout(r.widget.Size())
	canvas.Refresh(r.widget)
}

func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *chartRenderer) Destroy()                     {}
