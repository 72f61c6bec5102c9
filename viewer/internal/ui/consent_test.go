package ui_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"teamlens/viewer/internal/agenttest"
	"teamlens/viewer/internal/ui"
)

func consentCheck(t *testing.T, w fyne.Window) *widget.Check {
	t.Helper()
	check := find(w, func(c *widget.Check) bool { return c.Text == "Share my product analytics" })
	if check == nil {
		t.Fatal("no consent toggle")
	}
	return check
}

func TestConsentToggle(t *testing.T) {
	ctx := context.Background()
	a := agenttest.Start(t, agenttest.Options{})
	v, w := open(t, a)
	selectTab(v, tabPrivacy)
	mustHave(t, w, "What Teamlens never records", "Coordinates", "File or folder paths", "layer names", "leaves product analytics to you",
		"you choose whether to share product analytics")
	check := consentCheck(t, w)
	if check.Disabled() || check.Checked {
		t.Fatalf("consent toggle = %+v", check)
	}
	v.Do(func() { test.Tap(check) })
	v.Wait()
	if me, err := a.Client.Me(ctx); err != nil || !me.Consent || !check.Checked {
		t.Fatalf("after tapping on: agent %+v %v, toggle %v", me, err, check.Checked)
	}
	// Off asks first; keeping on changes nothing.
	v.Do(func() { test.Tap(check) })
	mustHave(t, w, "Stop sharing product analytics?", "Stop sharing from now on", "Stop and withdraw what I shared",
		"Days already uploaded keep their analytics", "sent again without analytics")
	v.Do(func() { test.Tap(button(t, w, "Keep sharing")) })
	v.Wait()
	if me, _ := a.Client.Me(ctx); !me.Consent || !check.Checked {
		t.Fatalf("keep sharing turned analytics off: agent %v, toggle %v", me.Consent, check.Checked)
	}
}

// optOut turns analytics off through the dialog with the given choice.
func optOut(t *testing.T, v *ui.Viewer, w fyne.Window, choice, confirm string) {
	t.Helper()
	v.Do(func() { test.Tap(consentCheck(t, w)) })
	radio := find(w, func(r *widget.RadioGroup) bool {
		return len(r.Options) == 2 && r.Options[1] == "Stop and withdraw what I shared"
	})
	if radio == nil {
		t.Fatalf("no opt-out choice among %q", texts(w))
	}
	if radio.Selected != "Stop sharing from now on" {
		t.Fatalf("opt-out default is %q", radio.Selected)
	}
	v.Do(func() { radio.SetSelected(choice) })
	v.Do(func() { test.Tap(button(t, w, confirm)) })
	v.Wait()
}

// The consent contract's two ways to stop, through the dialog, on a real
// agent whose days were all uploaded already.
func TestOptOutChoices(t *testing.T) {
	cases := []struct {
		choice, confirm string
		// After opting out: days holding analytics, days to send again.
		analytics, pending func(days int) int
	}{
		{"Stop sharing from now on", "Stop sharing", func(d int) int { return d }, func(int) int { return 0 }},
		{"Stop and withdraw what I shared", "Stop and withdraw", func(int) int { return 0 }, func(d int) int { return d }},
	}
	for _, c := range cases {
		t.Run(c.choice, func(t *testing.T) {
			a := agenttest.Start(t, agenttest.Options{Consent: true})
			start := time.Now().AddDate(0, 0, -3)
			a.Write(t, []agenttest.Session{
				{Product: "AutoCAD", Version: "2027.1", Start: start, Minutes: 30, StartupMS: 3000, Commands: []string{"LINE"}},
				{Product: "AutoCAD", Version: "2027.1", Start: start.AddDate(0, 0, 1), Minutes: 30, StartupMS: 3100, Commands: []string{"COPY"}},
			})
			a.WaitDays(t, 2)
			a.MarkUploaded(t)
			if got, pending := a.DayStates(t); got != 2 || pending != 0 {
				t.Fatalf("before: %d days with analytics, %d pending", got, pending)
			}
			v, w := open(t, a)
			selectTab(v, tabPrivacy)
			optOut(t, v, w, c.choice, c.confirm)
			me, err := a.Client.Me(context.Background())
			if err != nil || me.Consent {
				t.Fatalf("consent after %q: %+v %v", c.choice, me, err)
			}
			if consentCheck(t, w).Checked || !has(w, "Analytics off") {
				t.Errorf("the window does not show analytics off: %q", texts(w))
			}
			got, pending := a.DayStates(t)
			if got != c.analytics(2) || pending != c.pending(2) {
				t.Errorf("after %q: %d days keep analytics (want %d), %d to send again (want %d)",
					c.choice, got, c.analytics(2), pending, c.pending(2))
			}
		})
	}
}

func TestConsentLockedByPolicy(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{AnalyticsDisabled: true})
	v, w := open(t, a)
	selectTab(v, tabPrivacy)
	mustHave(t, w, "disabled product analytics on this computer", "product analytics are disabled", "Analytics disabled by your administrator")
	check := find(w, func(c *widget.Check) bool { return c.Text == "Share my product analytics" })
	if check == nil || !check.Disabled() {
		t.Fatal("the consent toggle is not locked under a disabling policy")
	}
	v.Do(func() { test.Tap(check) })
	v.Wait()
	if me, _ := a.Client.Me(context.Background()); me.Consent {
		t.Fatal("a locked toggle turned analytics on")
	}
	snapshot(t, w, "privacy-locked")
}

func TestShowAndDeleteMyData(t *testing.T) {
	ctx := context.Background()
	a := agenttest.Start(t, agenttest.Options{Consent: true})
	n := a.Write(t, []agenttest.Session{{Product: "AutoCAD", Version: "2027.1", Start: time.Now().Add(-26 * time.Hour),
		Minutes: 30, StartupMS: 3000, Commands: []string{"LINE"}}})
	a.WaitEvents(t, n)
	v, w := open(t, a)
	selectTab(v, tabPrivacy)

	v.Do(func() { test.Tap(button(t, w, "Show my data")) })
	v.Wait()
	mustHave(t, w, "Daily summaries (1)", fmt.Sprintf("Raw events (newest %d of %d)", n, n))
	tabs := find(w, func(t *container.AppTabs) bool { return len(t.Items) == 2 })
	v.Do(func() { tabs.SelectIndex(1) })
	list := find(w, func(l *widget.List) bool { return true })
	if list == nil {
		t.Fatal("no raw event list")
	}
	// One row per event: when, product, type, what.
	mustHave(t, w, "AutoCAD 2027.1", "command", "LINE · completed", "session.start", "started in 3.0 s")
	v.Do(func() { list.Select(0) })
	mustHave(t, w, `"type": "session.end"`)
	v.Do(func() { test.Tap(button(t, w, "Close")) })

	v.Do(func() { test.Tap(button(t, w, "Delete my data…")) })
	mustHave(t, w, "Delete my data?", "permanently deletes")
	// Cancelling deletes nothing.
	v.Do(func() { test.Tap(button(t, w, "No")) })
	if ev, _ := a.Client.Events(ctx, 1); ev.Total != n {
		t.Fatalf("cancel deleted data: %d events left of %d", ev.Total, n)
	}
	v.Do(func() { test.Tap(button(t, w, "Delete my data…")) })
	snapshot(t, w, "privacy-delete-confirm")
	v.Do(func() { test.Tap(button(t, w, "Delete")) })
	v.Wait()
	mustHave(t, w, "Data deleted")
	exp, err := a.Client.Export(ctx)
	if err != nil || len(exp.Events) != 0 || len(exp.Days) != 0 {
		t.Fatalf("after delete: %d events, %d days, %v", len(exp.Events), len(exp.Days), err)
	}
	check := find(w, func(c *widget.Check) bool { return c.Text == "Share my product analytics" })
	if check == nil || check.Checked {
		t.Error("the toggle still shows analytics on after the data (and the choice) were deleted")
	}
}
