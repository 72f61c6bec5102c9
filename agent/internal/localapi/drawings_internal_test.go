package localapi

import (
	"fmt"
	"reflect"
	"testing"

	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

func day(date, product string, minutes int, a *wire.Analytics) wire.Day {
	return wire.Day{Date: date, Product: product, Version: "2027.1", Minutes: minutes, Analytics: a}
}

func TestSummarizeDrawings(t *testing.T) {
	days := []wire.Day{
		day("2026-11-02", "AutoCAD", 60, &wire.Analytics{
			Objects:  map[string]int64{"LINE": 100, "CIRCLE": 4},
			Views:    map[string]int64{"3d.orbit": 6, "2d.zoom": 30},
			Settings: map[string]float64{"OSMODE": 4133, "PICKBOX": 3, "FILEDIA": 0},
		}),
		day("2026-11-03", "AutoCAD", 120, &wire.Analytics{
			Objects:  map[string]int64{"LINE": 300, "HATCH": 2},
			Views:    map[string]int64{"2d.zoom": 60},
			Settings: map[string]float64{"PICKBOX": 5, "MYVAR": 2},
		}),
		day("2026-11-04", "AutoCAD", 60, &wire.Analytics{
			Objects: map[string]int64{"LINE": 200, "CIRCLE": 6, "HATCH": 3},
		}),
		// Neither another product nor a day without analytics counts.
		day("2026-11-04", "Revit", 600, &wire.Analytics{Objects: map[string]int64{"WALL": 9}, Views: map[string]int64{"3d.orbit": 99}}),
		day("2026-11-05", "AutoCAD", 600, nil),
	}
	got := summarizeDrawings(days, "AutoCAD", settingDefaults["AutoCAD"])
	want := localclient.Drawings{
		Product: "AutoCAD", Days: 3, Hours: 4,
		// CIRCLE: 4, 0, 6 -> 4; HATCH: 0, 2, 3 -> 2; LINE: 100, 200, 300 -> 200.
		Objects:      []localclient.Count{{Name: "LINE", Count: 200}, {Name: "CIRCLE", Count: 4}, {Name: "HATCH", Count: 2}},
		Views:        []localclient.Rate{{Name: "2d.zoom", PerHour: 22.5}, {Name: "3d.orbit", PerHour: 1.5}},
		ViewsPerHour: 24,
		Settings: []localclient.Setting{
			{Name: "FILEDIA", Value: 0, Default: 1, HasDefault: true},
			{Name: "MYVAR", Value: 2},
			{Name: "PICKBOX", Value: 5, Default: 3, HasDefault: true},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Summarize:\n got %+v\nwant %+v", got, want)
	}
}

func TestSummarizeNothing(t *testing.T) {
	got := summarizeDrawings([]wire.Day{day("2026-11-05", "AutoCAD", 60, nil)}, "AutoCAD", settingDefaults["AutoCAD"])
	if got.Days != 0 || got.Objects != nil || got.Views != nil || got.Settings != nil || got.ViewsPerHour != 0 {
		t.Fatalf("no analytics gave %+v", got)
	}
}

func TestMedianOfEvenCountIsACount(t *testing.T) {
	if m := median([]int64{4, 1, 3, 2}); m != 2 {
		t.Fatalf("median = %d, want the lower middle 2", m)
	}
}

// A year of days of two products, as the tab reads at most 90 of them.
func BenchmarkSummarizeYear(b *testing.B) {
	var days []wire.Day
	for i := range 365 {
		date := fmt.Sprintf("2026-%02d-%02d", 1+i/31%12, 1+i%28)
		for _, p := range []string{"AutoCAD", "Revit"} {
			days = append(days, day(date, p, 240, &wire.Analytics{
				Objects:  map[string]int64{"LINE": int64(800 + i), "LWPOLYLINE": 200, "INSERT": 40, "HATCH": 10, "MTEXT": 30, "DIMENSION": 60},
				Views:    map[string]int64{"2d.zoom": 40, "2d.pan": 20, "3d.orbit": 3},
				Settings: map[string]float64{"OSMODE": 4133, "PICKBOX": 5, "ZOOMFACTOR": 40},
			}))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		summarizeDrawings(days, "AutoCAD", settingDefaults["AutoCAD"])
	}
}

func TestSummarizeMachineUse(t *testing.T) {
	days := []wire.Day{
		day("2026-11-02", "AutoCAD", 60, &wire.Analytics{
			CPUPct: &wire.Stat{Count: 2, Sum: 30, Min: 10, Max: 20},
			RSSMB:  &wire.Stat{Count: 2, Sum: 1000, Min: 400, Max: 600},
		}),
		day("2026-11-03", "AutoCAD", 60, &wire.Analytics{
			CPUPct: &wire.Stat{Count: 1, Sum: 60, Min: 60, Max: 60},
			RSSMB:  &wire.Stat{Count: 1, Sum: 1400, Min: 1400, Max: 1400},
		}),
		day("2026-11-03", "Revit", 60, &wire.Analytics{CPUPct: &wire.Stat{Count: 1, Sum: 99, Min: 99, Max: 99}}),
	}
	got := summarizeDrawings(days, "AutoCAD", nil)
	if want := (localclient.Usage{Samples: 3, Mean: 30, Peak: 60}); got.CPU != want {
		t.Errorf("CPU = %+v, want %+v", got.CPU, want)
	}
	if want := (localclient.Usage{Samples: 3, Mean: 800, Peak: 1400}); got.Memory != want {
		t.Errorf("Memory = %+v, want %+v", got.Memory, want)
	}
}
