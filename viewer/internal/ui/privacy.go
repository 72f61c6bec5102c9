package ui

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

// Consent toggle texts.
const (
	consentLabel    = "Share my product analytics"
	policyDisabled  = "Your administrator has disabled product analytics on this computer: only usage time is recorded, and the switch is locked."
	policyUserChoie = "Your administrator leaves product analytics to you. They are off until you turn them on, and turning them off stops them at once: what was not uploaded yet is never uploaded."
)

var collected = []string{
	"Which product and version you use, and when sessions start and end (usage time)",
	"With analytics on: startup, open and save times and drawing file sizes",
	"With analytics on: command names and whether they completed, were canceled or undone",
	"With analytics on: numeric or on/off setting values, object counts by type, view changes",
	"With analytics on: the CPU and memory your CAD product uses while it runs",
	"Daily summaries of the above, uploaded to your organisation's collector",
}

var neverCollected = []string{
	"Coordinates or geometry",
	"File or folder paths and file names",
	"Free text: layer names, block names, text and drawing contents",
	"Keystrokes, screenshots or anything outside your CAD products",
}

type privacyTab struct {
	v       *Viewer
	content fyne.CanvasObject
	consent *widget.Check
	policy  *widget.Label
	seat    *widget.Label
	// quiet is set while the check is changed from the agent's answer, so
	// that its OnChanged does not send the same answer back.
	quiet   bool
	buttons []*widget.Button
}

func newPrivacyTab(v *Viewer) *privacyTab {
	t := &privacyTab{v: v}
	t.consent = widget.NewCheck(consentLabel, t.toggle)
	t.consent.Disable()
	t.policy = note("Loading…")
	t.seat = lowLabel("")
	show := widget.NewButtonWithIcon("Show my data", theme.VisibilityIcon(), t.showData)
	export := widget.NewButtonWithIcon("Export to a file…", theme.DocumentSaveIcon(), t.export)
	del := widget.NewButtonWithIcon("Delete my data…", theme.DeleteIcon(), t.confirmDelete)
	del.Importance = widget.DangerImportance
	t.buttons = []*widget.Button{show, export, del}
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		widget.NewCard("Product analytics", "", container.NewVBox(t.consent, t.policy, t.seat)),
		container.NewGridWithColumns(2,
			widget.NewCard("What Teamlens records", "", bullets(collected)),
			widget.NewCard("What Teamlens never records", "", bullets(neverCollected))),
		widget.NewCard("My data", "Everything Teamlens keeps about you on this computer",
			container.NewHBox(show, export, del)),
	)))
	return t
}

func bullets(items []string) fyne.CanvasObject {
	box := container.NewVBox()
	for _, s := range items {
		box.Add(note("•  " + s))
	}
	return box
}

// show reflects the agent's answer; nil when the agent is unreachable.
func (t *privacyTab) show(me *localclient.Me) {
	for _, b := range t.buttons {
		if me == nil {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if me == nil {
		t.consent.Disable()
		t.policy.SetText("The agent is not reachable, so your choice cannot be read or changed.")
		return
	}
	t.quiet = true
	t.consent.SetChecked(me.Consent)
	t.quiet = false
	if me.Policy.AnalyticsAllowed() {
		t.consent.Enable()
		t.policy.SetText(policyUserChoie)
	} else {
		t.consent.Disable()
		t.policy.SetText(policyDisabled)
	}
	if me.Policy.SeatUsage {
		t.seat.SetText("Administrator policy: analytics " + me.Policy.Analytics + "; usage time recorded.")
	} else {
		t.seat.SetText("Administrator policy: analytics " + me.Policy.Analytics + "; usage time not recorded.")
	}
}

func (t *privacyTab) toggle(on bool) {
	if t.quiet {
		return
	}
	t.consent.Disable() // until the agent answers
	load(t.v, func(ctx context.Context) (bool, error) {
		return t.v.client.SetConsent(ctx, on)
	}, func(_ bool, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("your choice was not saved: %w", err), t.v.win)
		}
		t.v.Reload()
	})
}

func (t *privacyTab) showData() {
	type mine struct {
		events localclient.Events
		days   []wire.Day
	}
	load(t.v, func(ctx context.Context) (mine, error) {
		var m mine
		var err error
		if m.events, err = t.v.client.Events(ctx, 500); err != nil {
			return m, err
		}
		m.days, err = t.v.client.Days(ctx, "", "")
		return m, err
	}, func(m mine, err error) {
		if err != nil {
			dialog.ShowError(err, t.v.win)
			return
		}
		days := make([]string, len(m.days))
		for i, d := range m.days {
			line := fmt.Sprintf("%s  %s %s  %s, %s", d.Date, d.Product, d.Version, duration(d.Minutes), plural(d.Sessions, "session", "sessions"))
			if d.Analytics != nil {
				line += ", with analytics"
			}
			days[len(days)-1-i] = line // newest first
		}
		events := make([]string, len(m.events.Events))
		for i, e := range m.events.Events {
			events[i] = string(e)
		}
		tabs := container.NewAppTabs(
			container.NewTabItem(fmt.Sprintf("Daily summaries (%d)", len(days)), textList(days, "No daily summaries.")),
			container.NewTabItem(fmt.Sprintf("Raw events (newest %d of %d)", len(events), m.events.Total), textList(events, "No raw events.")),
		)
		d := dialog.NewCustom("My data", "Close", tabs, t.v.win)
		d.Resize(fyne.NewSize(860, 540))
		d.Show()
	})
}

func textList(lines []string, empty string) fyne.CanvasObject {
	if len(lines) == 0 {
		return container.NewCenter(lowLabel(empty))
	}
	return widget.NewList(func() int { return len(lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.TextStyle.Monospace = true
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(lines[i]) })
}

func (t *privacyTab) export() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, t.v.win)
			return
		}
		if w == nil {
			return // canceled
		}
		t.exportTo(w)
	}, t.v.win)
	d.SetFileName("teamlens-my-data.json")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Show()
}

// exportTo writes the export to w. The whole document is read from the
// agent before the file is written, and a failed write removes the file:
// no half export stays behind.
func (t *privacyTab) exportTo(w fyne.URIWriteCloser) {
	load(t.v, func(ctx context.Context) (string, error) {
		var buf bytes.Buffer
		err := t.v.client.ExportTo(ctx, &buf)
		if err == nil {
			_, err = w.Write(buf.Bytes())
		}
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = storage.Delete(w.URI())
			return "", err
		}
		return w.URI().Path(), nil
	}, func(path string, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("export failed: %w", err), t.v.win)
			return
		}
		dialog.ShowInformation("Export saved", "Your data was saved to "+path, t.v.win)
	})
}

func (t *privacyTab) confirmDelete() {
	msg := strings.Join([]string{
		"This permanently deletes everything Teamlens keeps about you on this computer:",
		"raw events, daily summaries and your analytics choice (which returns to off).",
		"Summaries already uploaded to your organisation are not affected.",
	}, "\n")
	d := dialog.NewConfirm("Delete my data?", msg, func(ok bool) {
		if ok {
			t.forget()
		}
	}, t.v.win)
	d.SetConfirmText("Delete")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

func (t *privacyTab) forget() {
	load(t.v, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, t.v.client.Forget(ctx)
	}, func(_ struct{}, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("your data was not deleted: %w", err), t.v.win)
			return
		}
		dialog.ShowInformation("Data deleted", "Everything Teamlens kept about you on this computer is deleted.", t.v.win)
		t.v.Reload()
	})
}
