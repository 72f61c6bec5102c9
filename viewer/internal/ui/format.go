package ui

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	"teamlens/shared/wire"
)

// palette colours products in charts, in the order they are listed.
var palette = []color.Color{
	color.NRGBA{0x2f, 0x6f, 0xde, 0xff}, // blue
	color.NRGBA{0xf0, 0x8c, 0x2a, 0xff}, // orange
	color.NRGBA{0x1f, 0xa8, 0x8c, 0xff}, // teal
	color.NRGBA{0x8e, 0x5c, 0xd9, 0xff}, // violet
	color.NRGBA{0xd6, 0x4c, 0x6a, 0xff}, // rose
	color.NRGBA{0x7a, 0x86, 0x99, 0xff}, // slate
}

// accent marks the user's own figure among others'.
var accent color.Color = color.NRGBA{0xf0, 0x8c, 0x2a, 0xff}

func productColor(i int) color.Color { return palette[i%len(palette)] }

// duration writes minutes as "3 h 05 m", "1,204 h 00 m" or "42 m".
func duration(minutes int) string {
	if minutes < 60 {
		return fmt.Sprintf("%d m", minutes)
	}
	return fmt.Sprintf("%s h %02d m", thousands(int64(minutes/60)), minutes%60)
}

// hours writes a chart scale value in hours; a scale step such as 1.25 h
// is written in hours and minutes rather than rounded to a wrong "1.2 h".
func hours(h float64) string {
	switch {
	case h == 0:
		return "0"
	case h < 1:
		return fmt.Sprintf("%.0f m", h*60)
	case h == math.Trunc(h):
		return thousands(int64(h)) + " h"
	}
	return duration(int(math.Round(h * 60)))
}

// thousands writes n with comma separators: 12780 as "12,780".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// millis writes a time in ms as "850 ms" or "4.2 s".
func millis(ms float64) string {
	if ms < 1000 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f s", ms/1000)
}

// minutes writes a chart scale value in minutes.
func minutes(m float64) string {
	if m == 0 {
		return "0"
	}
	return fmt.Sprintf("%g m", m)
}

// count writes a chart scale value of a count; small scales have halves.
func count(v float64) string {
	if v != math.Trunc(v) {
		return fmt.Sprintf("%g", v)
	}
	return thousands(int64(v))
}

// shortDate writes YYYY-MM-DD as "Nov 20".
func shortDate(date string) string {
	t, err := time.Parse(wire.DateLayout, date)
	if err != nil {
		return date
	}
	return t.Format("Jan 2")
}

// dateLabels returns the short labels of n days from from.
func dateLabels(from string, n int) []string {
	t, err := time.Parse(wire.DateLayout, from)
	if err != nil {
		return make([]string, n)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = t.AddDate(0, 0, i).Format("Jan 2")
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(int64(n)) + " " + many
}
