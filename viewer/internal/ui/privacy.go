package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/localclient"
)

// Consent toggle texts.
const (
	consentLabel     = "Share my product analytics"
	policyDisabled   = "Your administrator has disabled product analytics on this computer: only usage time is recorded, and the switch is locked."
	policyUserChoice = "Your administrator leaves product analytics to you. They are off until you turn them on, and turning them off stops them at once: what was not uploaded yet is never uploaded."
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
		t.policy.SetText(policyUserChoice)
	} else {
		t.consent.Disable()
		t.policy.SetText(policyDisabled)
	}
	t.seat.SetText(policyLine(me.Policy))
}

// policyLine says the administrator's policy in words, not in the
// configuration's terms.
func policyLine(p localclient.Policy) string {
	s := "Set by your administrator: "
	if p.AnalyticsAllowed() {
		s += "you choose whether to share product analytics; "
	} else {
		s += "product analytics are disabled; "
	}
	if p.SeatUsage {
		return s + "the time you spend in each product is recorded."
	}
	return s + "the time you spend in each product is not recorded either."
}

func (t *privacyTab) toggle(on bool) {
	if t.quiet {
		return
	}
	if on {
		t.setConsent(func(ctx context.Context) (bool, error) { return t.v.client.SetConsent(ctx, true) })
		return
	}
	// Nothing changes until the user picks one of the two ways to stop.
	t.quiet = true
	t.consent.SetChecked(true)
	t.quiet = false
	t.confirmOptOut()
}

// setConsent sends a consent change and shows the agent's answer.
func (t *privacyTab) setConsent(change func(context.Context) (bool, error)) {
	t.consent.Disable() // until the agent answers
	load(t.v, change, func(_ bool, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("your choice was not saved: %s", t.v.problem("your choice", err)), t.v.win)
		}
		t.v.Reload()
	})
}
