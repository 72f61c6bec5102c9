package wire_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

func known(p string) bool {
	_, ok := catalog.Builtin().Lookup(p)
	return ok
}

func TestValidate(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	good := func() wire.Day {
		return wire.Day{Date: "2026-11-20", User: `CORP\jdoe`, Product: "AutoCAD", Version: "2027.1", Minutes: 120, Sessions: 2,
			Analytics: &wire.Analytics{StartupMS: &wire.Stat{Count: 1, Sum: 10, Min: 10, Max: 10},
				Commands: map[string]*wire.Outcomes{"LINE": {Completed: 3}}, Views: map[string]int64{"3d.orbit": 1}}}
	}
	tests := []struct {
		name   string
		mutate func(*wire.Day)
		errHas string
	}{
		{"valid", func(*wire.Day) {}, ""},
		{"no analytics", func(d *wire.Day) { d.Analytics = nil }, ""},
		{"bad date", func(d *wire.Day) { d.Date = "2026-02-30" }, "date"},
		{"future date", func(d *wire.Day) { d.Date = "2026-12-30" }, "out of range"},
		{"ancient date", func(d *wire.Day) { d.Date = "1999-01-01" }, "out of range"},
		{"user with space", func(d *wire.Day) { d.User = "j doe" }, "user"},
		{"unknown product", func(d *wire.Day) { d.Product = "Notepad" }, "catalog"},
		{"minutes over a day", func(d *wire.Day) { d.Minutes = 1441 }, "minutes"},
		{"negative sessions", func(d *wire.Day) { d.Sessions = -1 }, "sessions"},
		{"negative stat", func(d *wire.Day) { d.Analytics.StartupMS.Min = -1 }, "startup_ms"},
		{"path as command", func(d *wire.Day) { d.Analytics.Commands = map[string]*wire.Outcomes{`C:\x`: {}} }, "command"},
		{"unnormalized command", func(d *wire.Day) { d.Analytics.Commands = map[string]*wire.Outcomes{"_line": {}} }, "command"},
		{"negative command count", func(d *wire.Day) { d.Analytics.Commands["LINE"].Completed = -2 }, "negative"},
		{"free text view", func(d *wire.Day) { d.Analytics.Views = map[string]int64{"my view": 1} }, "views"},
		{"sum overflowing an aggregate", func(d *wire.Day) { d.Analytics.StartupMS.Sum = math.MaxInt64 }, "startup_ms sum"},
		{"count zero with a sum", func(d *wire.Day) { d.Analytics.OpenMS = &wire.Stat{Count: 0, Sum: 1e18} }, "open_ms count"},
		{"sum below count*min", func(d *wire.Day) { d.Analytics.SaveMS = &wire.Stat{Count: 3, Sum: 20, Min: 10, Max: 10} }, "save_ms sum"},
		{"sum above count*max", func(d *wire.Day) { d.Analytics.SaveMS = &wire.Stat{Count: 3, Sum: 40, Min: 10, Max: 10} }, "save_ms sum"},
		{"count*max past int64", func(d *wire.Day) {
			d.Analytics.StartupMS = &wire.Stat{Count: math.MaxInt64, Sum: math.MaxInt64, Min: 0, Max: wire.MaxTimeMS}
		}, ""},
		{"count*min past int64", func(d *wire.Day) {
			d.Analytics.StartupMS = &wire.Stat{Count: math.MaxInt64 / 2, Sum: math.MaxInt64, Min: 3, Max: 3}
		}, "startup_ms sum"},
		{"inverted stat", func(d *wire.Day) { d.Analytics.StartupMS = &wire.Stat{Count: 1, Sum: 5, Min: 6, Max: 5} }, "startup_ms min"},
		{"time over a day", func(d *wire.Day) {
			d.Analytics.OpenMS = &wire.Stat{Count: 1, Sum: wire.MaxTimeMS + 1, Min: wire.MaxTimeMS + 1, Max: wire.MaxTimeMS + 1}
		}, "open_ms max"},
		{"time of a whole day", func(d *wire.Day) {
			d.Analytics.OpenMS = &wire.Stat{Count: 2, Sum: 2 * wire.MaxTimeMS, Min: wire.MaxTimeMS, Max: wire.MaxTimeMS}
		}, ""},
		{"document over 1 TiB", func(d *wire.Day) {
			d.Analytics.DocBytes = &wire.Stat{Count: 1, Sum: 1<<40 + 1, Min: 1<<40 + 1, Max: 1<<40 + 1}
		}, "doc_bytes max"},
		{"command count over the day's limit", func(d *wire.Day) { d.Analytics.Commands["LINE"].Started = 1_000_001 }, "commands.LINE"},
		{"command count at the day's limit", func(d *wire.Day) { d.Analytics.Commands["LINE"].Undone = 1_000_000 }, ""},
		{"huge command count", func(d *wire.Day) { d.Analytics.Commands["LINE"].Completed = math.MaxInt64 }, "commands.LINE"},
		{"object count over 10^9", func(d *wire.Day) { d.Analytics.Objects = map[string]int64{"LINE": 1e9 + 1} }, "objects.LINE"},
		{"object count of 10^9", func(d *wire.Day) { d.Analytics.Objects = map[string]int64{"LINE": 1e9} }, ""},
		{"negative view count", func(d *wire.Day) { d.Analytics.Views["3d.orbit"] = -1 }, "views"},
		{"negative minutes", func(d *wire.Day) { d.Minutes = -1 }, "minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good()
			tt.mutate(&d)
			b := wire.Batch{Schema: 1, BatchID: "x", Days: []wire.Day{d}}
			err := b.Validate(known, now)
			switch {
			case tt.errHas == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
				t.Fatalf("error %v, want one about %q", err, tt.errHas)
			}
		})
	}
}

func TestValidateBatch(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	d := wire.Day{Date: "2026-11-20", User: "jdoe", Product: "AutoCAD", Version: "1"}
	if err := (&wire.Batch{Schema: 2, Days: []wire.Day{d}}).Validate(known, now); err == nil {
		t.Error("accepted schema 2")
	}
	if err := (&wire.Batch{Schema: 1, Days: []wire.Day{d, d}}).Validate(known, now); err == nil || !strings.Contains(err.Error(), "days[1]") {
		t.Errorf("duplicate day: %v", err)
	}
}

func TestOutcomesStopAtTheDailyBound(t *testing.T) {
	o := wire.Outcomes{Completed: wire.MaxCommandOutcomes - 1}
	o.Add("completed")
	o.Add("completed")
	o.Add("started")
	if o.Completed != wire.MaxCommandOutcomes || o.Started != 1 {
		t.Fatalf("outcomes %+v", o)
	}
}
