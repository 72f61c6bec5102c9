package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/localclient"
)

// analyticsOff is the one state a tab built on product analytics shows
// while they are off: what is missing, why, and what to do about it.
type analyticsOff struct {
	content *fyne.Container
	text    *widget.Label
	action  *widget.Button
	what    string
}

func newAnalyticsOff(v *Viewer, what string) *analyticsOff {
	a := &analyticsOff{text: note(""), what: what}
	a.action = widget.NewButtonWithIcon("Open the Privacy tab", theme.VisibilityIcon(), func() {
		v.tabs.SelectIndex(len(v.tabs.Items) - 1)
	})
	a.content = container.NewVBox(widget.NewCard("", "", container.NewBorder(nil, nil,
		container.NewVBox(widget.NewIcon(theme.InfoIcon())), nil,
		container.NewVBox(heading("Product analytics are off"), a.text, container.NewHBox(a.action)))))
	a.content.Hide()
	return a
}

// show shows the state when analytics are off for me and reports whether
// it did.
func (a *analyticsOff) show(me *localclient.Me) bool {
	switch {
	case me == nil || me.Consent:
		a.content.Hide()
		return false
	case !me.Policy.AnalyticsAllowed():
		a.text.SetText("Your administrator has disabled product analytics on this computer, so there are no " + a.what +
			" to show. Only the time you spend in each product is recorded (see Overview).")
		a.action.Hide()
	default:
		a.text.SetText("You have not chosen to share product analytics, so Teamlens records no " + a.what +
			". To see them, turn on \"" + consentLabel + "\" in the Privacy tab; they appear after your next session.")
		a.action.Show()
	}
	a.content.Show()
	return true
}
