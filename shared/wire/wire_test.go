package wire_test

import (
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
