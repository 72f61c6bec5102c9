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
	app := test.NewTempApp(t)
	w := app.NewWindow("My Insights")
	w.Resize(fyne.NewSize(1040, 760))
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

// texts lists every text the window shows, dialogs included.
func texts(w fyne.Window) []string {
	var out []string
	objs := test.LaidOutObjects(w.Canvas().Content())
	for _, o := range w.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	for _, o := range objs {
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
	objs := test.LaidOutObjects(w.Canvas().Content())
	for _, o := range w.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	for _, o := range objs {
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
	mustHave(t, w, "No insights yet: data appears after your first session", "Analytics off")
	snapshot(t, w, "empty-overview")
	selectTab(v, tabPerformance)
	mustHave(t, w, "Benchmarks unavailable", "No performance data yet")
	snapshot(t, w, "empty-performance")
	selectTab(v, tabCommands)
	mustHave(t, w, "No command insights yet")
	snapshot(t, w, "empty-commands")
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
	if has(w, "No insights yet") {
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
	v.Do(func() { sel.SetSelected("Revit") })
	v.Wait()
	mustHave(t, w, "completed Revit commands", "WALL", "Architecture")
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
		"startup":{"users":14,"p25":3000,"p50":3600,"p75":5200},"save":{"users":9,"p25":200,"p50":300,"p75":400}}}}`)
	t.Cleanup(func() { a.SetBenchmarks(t, "") })
	v.Reload()
	v.Wait()
	selectTab(v, tabPerformance)
	mustHave(t, w, "Collector-wide benchmarks fetched", "median 3.6 s", "of 14 users", "you ")
	if has(w, "Benchmarks unavailable") {
		t.Error("still says benchmarks are unavailable")
	}
	snapshot(t, w, "year-performance")
}

func TestConsentToggle(t *testing.T) {
	ctx := context.Background()
	a := agenttest.Start(t, agenttest.Options{})
	v, w := open(t, a)
	selectTab(v, tabPrivacy)
	mustHave(t, w, "What Teamlens never records", "Coordinates", "File or folder paths", "layer names", "leaves product analytics to you")
	check := find(w, func(c *widget.Check) bool { return c.Text == "Share my product analytics" })
	if check == nil || check.Disabled() || check.Checked {
		t.Fatalf("consent toggle = %+v", check)
	}
	snapshot(t, w, "privacy-off")
	for _, want := range []bool{true, false} {
		v.Do(func() { test.Tap(check) })
		v.Wait()
		me, err := a.Client.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if me.Consent != want || check.Checked != want {
			t.Fatalf("after tapping: agent consent %v, toggle %v, want %v", me.Consent, check.Checked, want)
		}
	}
}

func TestConsentLockedByPolicy(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{AnalyticsDisabled: true})
	v, w := open(t, a)
	selectTab(v, tabPrivacy)
	mustHave(t, w, "disabled product analytics on this computer", "analytics disabled")
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
	snapshot(t, w, "privacy-show")
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
	mustHave(t, w, "not reachable at "+dead)
	selectTab(v, tabPrivacy)
	if b := button(t, w, "Delete my data…"); !b.Disabled() {
		t.Error("delete is offered with no agent to ask")
	}
}
