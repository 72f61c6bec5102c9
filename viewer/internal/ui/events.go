package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// eventRow is what one raw event shows in its row.
type eventRow struct {
	when, product, typ, detail string
}

// Widths of the raw events' columns; the detail takes the rest.
const (
	colWhen    = 150
	colProduct = 150
	colType    = 130
)

// describe reads the fields a row shows from an event as the agent
// exports it; an event it cannot read still gets a row.
func describe(raw json.RawMessage) eventRow {
	var e struct {
		TS         string             `json:"ts"`
		Product    string             `json:"product"`
		Version    string             `json:"version"`
		Type       string             `json:"type"`
		Name       string             `json:"name"`
		Outcome    string             `json:"outcome"`
		Value      any                `json:"value"`
		DurationMS *float64           `json:"duration_ms"`
		SizeBytes  *float64           `json:"size_bytes"`
		StartupMS  *float64           `json:"startup_ms"`
		Counts     map[string]float64 `json:"counts"`
		View       string             `json:"view"`
		Change     string             `json:"change"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return eventRow{typ: "unreadable", detail: "select to see it"}
	}
	r := eventRow{when: e.TS, product: strings.TrimSpace(e.Product + " " + e.Version), typ: e.Type}
	if ts, err := time.Parse(time.RFC3339Nano, e.TS); err == nil {
		r.when = ts.Local().Format("Jan 2 15:04:05")
	}
	switch e.Type {
	case "command":
		r.detail = e.Name + " · " + e.Outcome
	case "setting":
		r.detail = fmt.Sprintf("%s = %v", e.Name, e.Value)
	case "document.open", "document.save":
		if e.DurationMS != nil && e.SizeBytes != nil {
			r.detail = fmt.Sprintf("%s · %s", millis(*e.DurationMS), megabytes(*e.SizeBytes))
		}
	case "session.start":
		if e.StartupMS != nil {
			r.detail = "started in " + millis(*e.StartupMS)
		}
	case "objects":
		r.detail = plural(len(e.Counts), "object type", "object types")
	case "view":
		r.detail = e.View + " · " + e.Change
	}
	return r
}

func megabytes(b float64) string {
	return fmt.Sprintf("%.1f MB", b/(1<<20))
}

// eventList shows one event per row and the selected event's full JSON
// below the list.
func eventList(events []json.RawMessage) fyne.CanvasObject {
	if len(events) == 0 {
		return container.NewCenter(emptyLabel("No raw events."))
	}
	rows := make([]eventRow, len(events))
	for i, e := range events {
		rows[i] = describe(e)
	}
	detail := widget.NewLabel("Select an event to see it exactly as Teamlens stores it.")
	detail.TextStyle.Monospace = true
	detail.Wrapping = fyne.TextWrapBreak
	cell := func() *widget.Label {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	list := widget.NewList(func() int { return len(rows) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil,
				container.NewHBox(fixedWidth(cell(), colWhen), fixedWidth(cell(), colProduct), fixedWidth(cell(), colType)),
				nil, cell())
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			left := c.Objects[1].(*fyne.Container).Objects
			label := func(o fyne.CanvasObject) *widget.Label { return o.(*fyne.Container).Objects[0].(*widget.Label) }
			label(left[0]).SetText(rows[i].when)
			label(left[1]).SetText(rows[i].product)
			label(left[2]).SetText(rows[i].typ)
			c.Objects[0].(*widget.Label).SetText(rows[i].detail)
		})
	list.OnSelected = func(i widget.ListItemID) {
		var out bytes.Buffer
		if json.Indent(&out, events[i], "", "  ") != nil {
			out.Reset()
			out.Write(events[i])
		}
		detail.SetText(out.String())
	}
	split := container.NewVSplit(list, container.NewVScroll(detail))
	split.Offset = 0.6
	return split
}
