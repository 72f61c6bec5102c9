// Package chart draws the console's charts as SVG on the server: no
// JavaScript, readable in light and dark themes (colors are CSS classes the
// page styles), scaled to any width by their viewBox, each with a title
// and a description for screen readers and each mark focusable with its
// own label.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// svg accumulates one chart.
type svg struct {
	b    strings.Builder
	id   string
	w, h int
}

func newSVG(id string, w, h int, title, desc string) *svg {
	s := &svg{id: id, w: w, h: h}
	fmt.Fprintf(&s.b, `<svg class="chart" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d">`, esc(id), w, h, esc(id), esc(id))
	fmt.Fprintf(&s.b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	return s
}

func (s *svg) add(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// text writes a label; anchor is start, middle or end.
func (s *svg) text(x, y float64, anchor, label string) {
	s.add(`<text x="%s" y="%s" text-anchor="%s">%s</text>`, num(x), num(y), anchor, esc(label))
}

// mark opens a focusable group labelled for screen readers.
func (s *svg) mark(label string) { s.add(`<g tabindex="0" role="img" aria-label="%s">`, esc(label)) }

func (s *svg) end() template.HTML {
	s.b.WriteString(`</svg>`)
	// Every string written was escaped above.
	return template.HTML(s.b.String())
}

func esc(v string) string { return html.EscapeString(v) }

// num prints a coordinate with at most one decimal, so golden files stay
// stable and small.
func num(v float64) string {
	r := math.Round(v*10) / 10
	if r == math.Trunc(r) {
		return fmt.Sprintf("%d", int64(r))
	}
	return fmt.Sprintf("%.1f", r)
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
