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
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

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
		tabs := container.NewAppTabs(
			container.NewTabItem(fmt.Sprintf("Daily summaries (%s)", thousands(int64(len(days)))), textList(days, "No daily summaries.")),
			container.NewTabItem(fmt.Sprintf("Raw events (newest %s of %s)", thousands(int64(len(m.events.Events))), thousands(int64(m.events.Total))),
				eventList(m.events.Events)),
		)
		d := dialog.NewCustom("My data", "Close", tabs, t.v.win)
		d.Resize(dialogSize(t.v.win, 900, 600))
		d.Show()
	})
}

func textList(lines []string, empty string) fyne.CanvasObject {
	if len(lines) == 0 {
		return container.NewCenter(emptyLabel(empty))
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
	d.Resize(dialogSize(t.v.win, 620, 240)) // its text's own height, not Fyne's default
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
