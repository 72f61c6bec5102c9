package gate_test

import (
	"testing"
	"time"

	"teamlens/agent/internal/gate"
	"teamlens/agent/internal/rollup"
	"teamlens/shared/journal"
)

func batch() []journal.Event {
	ms := int64(3000)
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	ev := func(i int, typ string) journal.Event {
		return journal.Event{TS: t0.Add(time.Duration(i) * time.Minute), Product: "AutoCAD", Version: "2027.1", Session: "a", Type: typ}
	}
	start := ev(0, journal.SessionStart)
	start.StartupMS = &ms
	cmd := ev(1, journal.Command)
	cmd.Name, cmd.Outcome = "LINE", "completed"
	return []journal.Event{start, cmd, ev(2, journal.SessionEnd)}
}

func TestRules(t *testing.T) {
	alive := []gate.Alive{{Key: rollup.SessionKey{Product: "AutoCAD", Version: "2027", Session: "p"}, At: 1}}
	samples := []rollup.Sample{{Product: "AutoCAD", Version: "2027", CPUPct: 5}}
	for _, tc := range []struct {
		name                                  string
		rules                                 gate.Rules
		stored, discarded, touches, analytics int
		samples                               int
		startupKept                           bool
	}{
		{"seat usage, no consent", gate.Rules{SeatUsage: true}, 2, 1, 4, 0, 0, false},
		{"seat usage and consent", gate.Rules{SeatUsage: true, Analytics: true}, 3, 0, 4, 3, 1, true},
		{"consent, seat usage off", gate.Rules{Analytics: true}, 1, 0, 0, 1, 1, false},
		{"nothing", gate.Rules{}, 0, 1, 0, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := tc.rules.Apply(batch(), alive, samples)
			if len(k.Events) != tc.stored || k.Discarded != tc.discarded {
				t.Fatalf("stored %d discarded %d, want %d %d", len(k.Events), k.Discarded, tc.stored, tc.discarded)
			}
			if len(k.Rollup.Touches) != tc.touches || len(k.Rollup.Analytics) != tc.analytics || len(k.Rollup.Samples) != tc.samples {
				t.Fatalf("roll-up input %d touches, %d analytics, %d samples; want %d %d %d",
					len(k.Rollup.Touches), len(k.Rollup.Analytics), len(k.Rollup.Samples), tc.touches, tc.analytics, tc.samples)
			}
			for _, e := range k.Events {
				if e.Type == journal.SessionStart && (e.StartupMS != nil) != tc.startupKept {
					t.Fatalf("startup time kept=%v, want %v", e.StartupMS != nil, tc.startupKept)
				}
			}
		})
	}
}
