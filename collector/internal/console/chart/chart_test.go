package chart_test

import (
	"encoding/xml"
	"flag"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"teamlens/collector/internal/console/chart"
	"teamlens/collector/internal/insights"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got template.HTML) {
	t.Helper()
	// Well-formed XML, so browsers draw it and screen readers find the
	// title and description.
	dec := xml.NewDecoder(strings.NewReader(string(got)))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s is not well-formed: %v\n%s", name, err, got)
		}
	}
	for _, want := range []string{`role="img"`, "<title", "<desc", `tabindex="0"`, "aria-label="} {
		if !strings.Contains(string(got), want) {
			t.Errorf("%s lacks %s", name, want)
		}
	}
	path := filepath.Join("testdata", name+".svg")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from %s (run go test -update after checking the change):\n%s", name, path, got)
	}
}

func TestDailyUsers(t *testing.T) {
	pts := func(vals ...int64) map[string]int64 {
		m := map[string]int64{}
		for i, v := range vals {
			m["2026-11-"+string(rune('0'+(i+20)/10))+string(rune('0'+(i+20)%10))] = v
		}
		return m
	}
	golden(t, "daily_users", chart.DailyUsers("dau", []chart.Series{
		{Name: "Revit", Points: pts(1, 2, 2, 1, 0, 0, 1)},
		{Name: "AutoCAD", Points: pts(5, 7, 8, 6, 2, 1, 9)},
	}, "2026-11-20", "2026-11-26"))
	if got := chart.DailyUsers("x", nil, "2026-11-27", "2026-11-20"); got != "" {
		t.Errorf("a window that ends before it starts draws nothing: %s", got)
	}
}

func TestQuartiles(t *testing.T) {
	mean := 4200.0
	golden(t, "quartiles", chart.Quartiles("perf", insights.ProductPerformance{Product: "AutoCAD", Metric: "startup",
		P25: 2000, P50: 3000, P75: 4000, UsersByQuartile: [4]int{1, 0, 2, 3}, TeamMeanMS: &mean}))
	noMean := chart.Quartiles("perf2", insights.ProductPerformance{Product: "AutoCAD", Metric: "save", P25: 100, P50: 200, P75: 300})
	if strings.Contains(string(noMean), "team mean") {
		t.Error("no team mean drawn when the team has no data")
	}
}

func TestCategories(t *testing.T) {
	golden(t, "categories", chart.Categories("cmd", insights.CommandUsage{Product: "AutoCAD", Categories: []insights.CategoryShare{
		{Category: "Draw", Count: 60, Share: 0.6, PeerShare: 0.4}, {Category: "Modify", Count: 30, Share: 0.3, PeerShare: 0.45},
		{Category: "<Other>", Count: 10, Share: 0.1, PeerShare: 0.15}}}))
}

func TestVersionShare(t *testing.T) {
	golden(t, "versions", chart.VersionShare("ver", "AutoCAD", []chart.Slice{{"2026.1", 3}, {"2027.1", 95}, {"2025", 2}}))
	if chart.VersionShare("v", "AutoCAD", nil) != "" {
		t.Error("no versions draw nothing")
	}
}
