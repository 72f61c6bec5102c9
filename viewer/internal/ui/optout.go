package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// The two ways to stop sharing of the consent contract, as the dialog
// offers them; the first is the default.
const (
	optOutKeep     = "Stop sharing from now on"
	optOutWithdraw = "Stop and withdraw what I shared"

	optOutKeepText = "Teamlens stops recording product analytics at once, and the analytics of days " +
		"not uploaded yet are never uploaded. Days already uploaded keep their analytics on your " +
		"organisation's collector."
	optOutWithdrawText = "The same, and the days already uploaded are sent again without analytics, " +
		"so your organisation's collector drops the analytics it holds about you. " +
		"Team reports computed before then are not changed."
	optOutCommon = "In both cases the time you spend in each product is still recorded, as your " +
		"administrator's policy says, and you can turn analytics on again at any time."
)

// confirmOptOut asks which way to stop, saying what each does; only the
// confirm button changes anything.
func (t *privacyTab) confirmOptOut() {
	choice := widget.NewRadioGroup([]string{optOutKeep, optOutWithdraw}, nil)
	choice.Required = true
	choice.SetSelected(optOutKeep)
	var d *dialog.CustomDialog
	stop := widget.NewButton("Stop sharing", func() {
		d.Hide()
		withdraw := choice.Selected == optOutWithdraw
		t.setConsent(func(ctx context.Context) (bool, error) { return t.v.client.StopSharing(ctx, withdraw) })
	})
	stop.Importance = widget.DangerImportance
	keep := widget.NewButton("Keep sharing", func() { d.Hide() })
	choice.OnChanged = func(s string) {
		if s == optOutWithdraw {
			stop.SetText("Stop and withdraw")
		} else {
			stop.SetText("Stop sharing")
		}
	}
	bold := func(s string) *widget.Label {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	content := container.NewVBox(
		note("Choose how to stop sharing your product analytics:"),
		choice,
		bold(optOutKeep+": "), note(optOutKeepText),
		bold(optOutWithdraw+": "), note(optOutWithdrawText),
		note(optOutCommon),
	)
	d = dialog.NewCustomWithoutButtons("Stop sharing product analytics?", content, t.v.win)
	d.SetButtons([]fyne.CanvasObject{keep, stop})
	d.Resize(dialogSize(t.v.win, 620, 520))
	d.Show()
}

// dialogSize is want, or less on a small window so that the dialog fits.
func dialogSize(w fyne.Window, width, height float32) fyne.Size {
	s := w.Canvas().Size()
	return fyne.NewSize(min(width, s.Width-40), min(height, s.Height-40))
}
