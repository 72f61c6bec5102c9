package ui_test

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"teamlens/viewer/internal/agenttest"
	"teamlens/viewer/internal/ui"
)

// The tests drive the window against the real agent (built from source,
// run on temporary directories) holding journals written by the journal
// Writer. UI_SNAPSHOT_DIR keeps a PNG of each screen tested.

const (
	tabOverview = iota
	tabPerformance
	tabCommands
	tabDrawings
	tabPrivacy
)

var (
	yearOnce     sync.Once
	yearAgent    *agenttest.Agent
	yearCleanups []func()
)

// year is one agent with a year of journals, shared by the tests that only
// read. It lives until the process ends.
func year(t *testing.T) *agenttest.Agent {
	t.Helper()
	yearOnce.Do(func() {
		a := agenttest.Start(holder{t}, agenttest.Options{Consent: true})
		sessions := agenttest.Year(time.Now())
		a.Write(t, sessions)
		a.WaitDays(t, len(sessions))
		yearAgent = a
	})
	if yearAgent == nil {
		t.Fatal("the shared agent did not start")
	}
	return yearAgent
}

// holder keeps the shared agent alive past the test that started it: its
// cleanups run when every test is done.
type holder struct {
	*testing.T
}

func (holder) Cleanup(f func()) { yearCleanups = append(yearCleanups, f) }

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(yearCleanups) - 1; i >= 0; i-- {
		yearCleanups[i]()
	}
	os.Exit(code)
}

func open(t *testing.T, a *agenttest.Agent) (*ui.Viewer, fyne.Window) {
	t.Helper()
	return openWith(t, a, fyne.NewSize(1040, 760), nil)
}

// openWith opens the window at size in theme th (nil: Fyne's test theme).
func openWith(t *testing.T, a *agenttest.Agent, size fyne.Size, th fyne.Theme) (*ui.Viewer, fyne.Window) {
	t.Helper()
	app := test.NewTempApp(t)
	if th != nil {
		app.Settings().SetTheme(th)
	}
	w := app.NewWindow("My Insights")
	w.Resize(size)
	ctx, cancel := context.WithCancel(context.Background())
	v := ui.New(ctx, w, a.Client, ui.Options{Socket: a.Socket})
	t.Cleanup(func() {
		v.Wait()
		cancel()
		w.Close()
	})
	v.Reload()
	v.Wait()
	return v, w
}

// shown lists the objects the window shows, dialogs included: hidden
// objects and everything under them are left out.
func shown(w fyne.Window) []fyne.CanvasObject {
	roots := append([]fyne.CanvasObject{w.Canvas().Content()}, w.Canvas().Overlays().List()...)
	var out []fyne.CanvasObject
	seen := map[fyne.CanvasObject]bool{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || seen[o] {
			return
		}
		seen[o] = true
		out = append(out, o)
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	for _, r := range roots {
		test.LaidOutObjects(r) // lays lists and charts out, so their rows exist
		walk(r)
	}
	return out
}

// texts lists every text the window shows, dialogs included.
func texts(w fyne.Window) []string {
	var out []string
	for _, o := range shown(w) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *widget.Check:
			out = append(out, x.Text)
		case *widget.Card:
			out = append(out, x.Title)
		}
	}
	return out
}

func has(w fyne.Window, sub string) bool {
	for _, s := range texts(w) {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func mustHave(t *testing.T, w fyne.Window, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !has(w, s) {
			t.Errorf("window does not show %q; it shows %q", s, texts(w))
		}
	}
}

func find[T fyne.CanvasObject](w fyne.Window, match func(T) bool) T {
	for _, o := range shown(w) {
		if x, ok := o.(T); ok && match(x) {
			return x
		}
	}
	var zero T
	return zero
}

func button(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	b := find(w, func(b *widget.Button) bool { return b.Text == text })
	if b == nil {
		t.Fatalf("no button %q among %q", text, texts(w))
	}
	return b
}

func snapshot(t *testing.T, w fyne.Window, name string) {
	t.Helper()
	dir := os.Getenv("UI_SNAPSHOT_DIR")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

func selectTab(v *ui.Viewer, i int) { v.Do(func() { v.Tabs().SelectIndex(i) }) }

func TestEmptyStates(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{})
	v, w := open(t, a)
	mustHave(t, w, "No usage yet in this period", "Analytics off")
	snapshot(t, w, "empty-overview")
	for _, tab := range []int{tabPerformance, tabCommands, tabDrawings} {
		selectTab(v, tab)
		mustHave(t, w, "Product analytics are off", "Open the Privacy tab")
		for _, stale := range []string{"Benchmarks unavailable", "No performance data yet", "No AutoCAD commands yet", "turn analytics on in"} {
			if has(w, stale) {
				t.Errorf("tab %d says %q beside the analytics-off state", tab, stale)
			}
		}
	}
	v.Do(func() { test.Tap(button(t, w, "Open the Privacy tab")) })
	if v.Tabs().SelectedIndex() != tabPrivacy {
		t.Errorf("the analytics-off state's button opened tab %d", v.Tabs().SelectedIndex())
	}
}

// With analytics on and nothing recorded yet, no tab tells the user to
// turn analytics on.
func TestAnalyticsOnNoData(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{Consent: true})
	v, w := open(t, a)
	mustHave(t, w, "Analytics on", "No usage yet in this period")
	selectTab(v, tabPerformance)
	mustHave(t, w, "No performance data yet: analytics are on")
	selectTab(v, tabCommands)
	mustHave(t, w, "No AutoCAD commands yet in this period: analytics are on")
	selectTab(v, tabDrawings)
	mustHave(t, w, "No drawing figures for AutoCAD yet: analytics are on")
	for _, s := range texts(w) {
		if strings.Contains(s, "turn analytics on") || strings.Contains(s, "analytics are off") {
			t.Errorf("analytics are on, yet the window says %q", s)
		}
	}
}

func TestOneDay(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{Consent: true})
	start := time.Now().Add(-2 * time.Hour)
	if start.Day() != time.Now().Day() {
		start = time.Now().Truncate(time.Minute).Add(-time.Minute)
	}
	a.Write(t, []agenttest.Session{{Product: "AutoCAD", Version: "2027.1", Start: start, Minutes: 1, StartupMS: 4100,
		Commands: []string{"LINE", "COPY", "ROTATE"}}})
	a.WaitDays(t, 1)
	v, w := open(t, a)
	mustHave(t, w, "Signed in as", "Analytics on", "AutoCAD", "Full insights", "2027.1")
	if has(w, "No usage yet") {
		t.Error("one day of data still says there are no insights")
	}
	snapshot(t, w, "oneday-overview")
	selectTab(v, tabCommands)
	mustHave(t, w, "3 completed AutoCAD commands", "Modify", "ROTATE")
	selectTab(v, tabPerformance)
	mustHave(t, w, "Your mean 4.1 s over 1 time", "Benchmarks unavailable")
}

func TestOverviewYear(t *testing.T) {
	a := year(t)
	started := time.Now()
	v, w := open(t, a)
	// A figure for the report, not a pass/fail bound: the machine is shared.
	t.Logf("a year of data: window filled %v after the first load started", time.Since(started).Round(time.Millisecond))
	ov, err := a.Client.Overview(context.Background(), 30)
	if err != nil {
		t.Fatal(err)
	}
	mustHave(t, w, "Time in each product", fmt.Sprint(ov.ActiveDays), "Inventor", "Usage time only", "Full insights")
	snapshot(t, w, "year-overview-30")

	radio := find(w, func(r *widget.RadioGroup) bool { return true })
	if radio == nil {
		t.Fatal("no period choice")
	}
	v.Do(func() { radio.SetSelected("Last 12 months") })
	v.Wait()
	ov, err = a.Client.Overview(context.Background(), 365)
	if err != nil {
		t.Fatal(err)
	}
	mustHave(t, w, fmt.Sprint(ov.Sessions), "2026.2, 2027.1")
	snapshot(t, w, "year-overview-365")
}

func TestCommandsYear(t *testing.T) {
	a := year(t)
	v, w := open(t, a)
	selectTab(v, tabCommands)
	mustHave(t, w, "completed AutoCAD commands", "By category", "Modify", "COPY", "COPY → ROTATE")
	snapshot(t, w, "year-commands")

	sel := find(w, func(s *widget.Select) bool { return s.Selected == "AutoCAD" })
	if sel == nil {
		t.Fatal("no product choice")
	}
	for _, opt := range sel.Options {
		if opt != "AutoCAD" && opt != "Revit" {
			t.Errorf("product %q offered for command insights", opt)
		}
	}
	var suggestions []string
	have := map[string]bool{} // a label's text is also the canvas text it draws
	for _, s := range texts(w) {
		if (strings.HasPrefix(s, "You ") || strings.Contains(s, " after ")) && !have[s] {
			have[s] = true
			suggestions = append(suggestions, s)
		}
	}
	seen := map[string]bool{}
	for _, s := range suggestions {
		// Each suggestion names its own commands; what must differ is the
		// advice after them.
		advice := s[strings.LastIndex(s, "times")+len("times"):]
		if seen[advice] {
			t.Errorf("suggestion advice repeated: %q", advice)
		}
		seen[advice] = true
	}
	if len(suggestions) < 3 {
		t.Errorf("want several suggestions, got %q", suggestions)
	}

	v.Do(func() { sel.SetSelected("Revit") })
	v.Wait()
	mustHave(t, w, "completed Revit commands", "WALL", "Architecture")
}

func TestDrawingsYear(t *testing.T) {
	a := year(t)
	v, w := open(t, a)
	selectTab(v, tabDrawings)
	mustHave(t, w, "Object types in a typical drawing", "LINE", "LWPOLYLINE", "View changes per hour", "2d.zoom",
		"Settings that differ from the defaults", "PICKBOX", "ZOOMFACTOR")
	// OSMODE, FILEDIA and SAVETIME are at their defaults.
	for _, s := range []string{"OSMODE", "FILEDIA", "SAVETIME"} {
		if has(w, s) {
			t.Errorf("%s is at its default but listed as changed", s)
		}
	}
}

func TestPerformanceBenchmarks(t *testing.T) {
	a := year(t)
	v, w := open(t, a)
	selectTab(v, tabPerformance)
	mustHave(t, w, "AutoCAD", "Revit", "Benchmarks unavailable", "Your mean")
	if has(w, "median") {
		t.Error("quartiles drawn without benchmarks")
	}

	a.SetBenchmarks(t, `{"fetched_at":"2026-11-20T10:00:00Z","products":{"AutoCAD":{"product":"AutoCAD","from":"2026-08-23","to":"2026-11-20",
		"startup":{"users":14,"p25":3000,"p50":3600,"p75":5200},"open":{"users":11,"p25":600,"p50":640,"p75":660},
		"save":{"users":9,"p25":200,"p50":300,"p75":400}}}}`)
	t.Cleanup(func() { a.SetBenchmarks(t, "") })
	v.Reload()
	v.Wait()
	selectTab(v, tabPerformance)
	mustHave(t, w, "Collector-wide benchmarks fetched", "median 3.6 s", "of 14 users", "you ",
		"Quartiles of 11 users: p25 600 ms · median 640 ms · p75 660 ms")
	for _, s := range []string{"Benchmarks unavailable", "No collector-wide benchmark for opening"} {
		if has(w, s) {
			t.Errorf("still says %q", s)
		}
	}
	snapshot(t, w, "year-performance")
}

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

func TestAgentDown(t *testing.T) {
	a := &agenttest.Agent{}
	*a = *agenttest.Start(t, agenttest.Options{})
	dead := filepath.Join(t.TempDir(), "none.sock")
	a.Client, a.Socket = agenttestClient(dead), dead
	v, w := open(t, a)
	mustHave(t, w, "My Insights cannot reach the Teamlens agent", "not reachable at "+dead, "press Refresh")
	for _, s := range texts(w) {
		for _, raw := range []string{"dial unix", "http://", "No usage yet", "Analytics on", "Signed in as"} {
			if strings.Contains(s, raw) {
				t.Errorf("agent down, yet the window shows %q", s)
			}
		}
	}
	if v.Tabs().Visible() {
		t.Error("the tabs still show with the agent down")
	}
}
