package ui_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"teamlens/viewer/internal/agenttest"
)

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
		if opt != "AutoCAD" && opt != "FreeCAD" && opt != "Revit" {
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
