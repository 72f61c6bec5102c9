package rollup_test

import (
	"testing"
	"time"

	"teamlens/agent/internal/rollup"
	"teamlens/shared/journal"
)

// memState is a State kept in maps, saving each batch's changes as the
// store would.
type memState struct {
	sessions map[rollup.SessionKey]rollup.Span
	days     map[rollup.DayKey]rollup.Day
}

func newState() *memState {
	return &memState{sessions: map[rollup.SessionKey]rollup.Span{}, days: map[rollup.DayKey]rollup.Day{}}
}

func (m *memState) Session(k rollup.SessionKey) (rollup.Span, bool, error) {
	s, ok := m.sessions[k]
	return s, ok, nil
}

func (m *memState) Day(k rollup.DayKey) (rollup.Day, bool, error) {
	d, ok := m.days[k]
	return d, ok, nil
}

func (m *memState) apply(t *testing.T, c rollup.Calendar, touches ...rollup.Touch) rollup.Changes {
	t.Helper()
	ch, err := c.Apply(m, rollup.Input{Touches: touches})
	if err != nil {
		t.Fatal(err)
	}
	for k, s := range ch.Sessions {
		m.sessions[k] = s
	}
	for k, d := range ch.Days {
		m.days[k] = *d
	}
	return ch
}

func touch(session string, at time.Time) rollup.Touch {
	return rollup.Touch{Key: rollup.SessionKey{Product: "AutoCAD", Version: "2027.1", Session: session}, At: at.UnixMilli()}
}

func (m *memState) day(date string) rollup.Day {
	return m.days[rollup.DayKey{Product: "AutoCAD", Version: "2027.1", Date: date}]
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestOverlapsCountOnceAcrossBatches(t *testing.T) {
	c := rollup.Calendar{Loc: time.UTC}
	at := func(h, m int) time.Time { return time.Date(2026, 11, 20, h, m, 0, 0, time.UTC) }
	st := newState()
	st.apply(t, c, touch("a", at(9, 0)), touch("a", at(11, 0)))
	st.apply(t, c, touch("b", at(10, 0)))
	st.apply(t, c, touch("b", at(12, 0)))
	st.apply(t, c, touch("a", at(10, 30))) // inside its span: nothing changes
	if d := st.day("2026-11-20"); d.Minutes != 180 || d.Sessions != 2 {
		t.Fatalf("%d minutes, %d sessions; want 180, 2", d.Minutes, d.Sessions)
	}
}

func TestMidnightInBerlin(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	c := rollup.Calendar{Loc: berlin}
	st := newState()
	// 23:30 to 00:45 Berlin time is 22:30 to 23:45 UTC: one UTC day, two local ones.
	st.apply(t, c, touch("n", time.Date(2026, 11, 20, 23, 30, 0, 0, berlin)))
	st.apply(t, c, touch("n", time.Date(2026, 11, 21, 0, 45, 0, 0, berlin)))
	if d := st.day("2026-11-20"); d.Minutes != 30 || d.Sessions != 1 {
		t.Errorf("20th: %d minutes, %d sessions; want 30, 1", d.Minutes, d.Sessions)
	}
	if d := st.day("2026-11-21"); d.Minutes != 45 || d.Sessions != 1 {
		t.Errorf("21st: %d minutes, %d sessions; want 45, 1", d.Minutes, d.Sessions)
	}
}

// TestDaylightSavingDays runs a session from one local midnight to the
// next on the days New York's clocks change: 23 hours in March, 25 in
// November, which the wire contract's 1440-minute bound caps.
func TestDaylightSavingDays(t *testing.T) {
	ny := zone(t, "America/New_York")
	c := rollup.Calendar{Loc: ny}
	for _, tc := range []struct {
		date    time.Time
		minutes int
	}{
		{time.Date(2026, 3, 8, 0, 0, 0, 0, ny), 23 * 60},
		{time.Date(2026, 11, 1, 0, 0, 0, 0, ny), 1440},
		{time.Date(2026, 11, 2, 0, 0, 0, 0, ny), 1440},
	} {
		st := newState()
		next := tc.date.AddDate(0, 0, 1)
		if h := next.Sub(tc.date).Hours(); tc.minutes != 1440 && h != 23 {
			t.Fatalf("%s has %v hours", tc.date, h)
		}
		st.apply(t, c, touch("d", tc.date), touch("d", next.Add(-time.Millisecond)))
		date := tc.date.Format("2006-01-02")
		if d := st.day(date); d.Minutes != tc.minutes || d.Sessions != 1 {
			t.Errorf("%s: %d minutes, %d sessions; want %d, 1", date, d.Minutes, d.Sessions, tc.minutes)
		}
		if lo, hi, _ := c.Bounds(date); time.Duration(hi-lo)*time.Millisecond != next.Sub(tc.date) {
			t.Errorf("%s: bounds %v apart", date, time.Duration(hi-lo)*time.Millisecond)
		}
	}
}

// TestSessionSpanIsCapped: a session that claims to last a century
// touches at most eight days.
func TestSessionSpanIsCapped(t *testing.T) {
	c := rollup.Calendar{Loc: time.UTC}
	st := newState()
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	st.apply(t, c, touch("s", start))
	ch := st.apply(t, c, touch("s", start.AddDate(100, 0, 0)), touch("s", start.Add(rollup.MaxSessionSpan)))
	if len(ch.Days) > 8 {
		t.Fatalf("one session touched %d days", len(ch.Days))
	}
	if got := st.sessions[rollup.SessionKey{Product: "AutoCAD", Version: "2027.1", Session: "s"}]; got.Last != start.Add(rollup.MaxSessionSpan).UnixMilli() {
		t.Fatalf("span ends %v", time.UnixMilli(got.Last).UTC())
	}
}

func TestAnalyticsFoldIntoTheirLocalDay(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	e := journal.Event{TS: time.Date(2026, 11, 20, 23, 30, 0, 0, time.UTC), Product: "AutoCAD", Version: "2027.1",
		Session: "a", Type: journal.Command, Name: "LINE", Outcome: "completed"}
	ch, err := rollup.Calendar{Loc: berlin}.Apply(newState(), rollup.Input{Analytics: []journal.Event{e}})
	if err != nil {
		t.Fatal(err)
	}
	d := ch.Days[rollup.DayKey{Product: "AutoCAD", Version: "2027.1", Date: "2026-11-21"}]
	if d == nil || d.Analytics.Commands["LINE"].Completed != 1 {
		t.Fatalf("days %v", ch.Days)
	}
}

func TestIntervalsEncoding(t *testing.T) {
	iv := rollup.Intervals{}.Add(10, 20).Add(30, 40).Add(15, 31).Add(100, 100).Add(50, 60)
	if iv.Total() != 40 || len(iv) != 2 {
		t.Fatalf("%v", iv)
	}
	b, _ := iv.MarshalBinary()
	var back rollup.Intervals
	if err := back.UnmarshalBinary(b); err != nil || len(back) != 2 || back[0] != iv[0] || back[1] != iv[1] {
		t.Fatalf("%v -> %v (%v)", iv, back, err)
	}
	if err := back.UnmarshalBinary([]byte{0x80}); err == nil {
		t.Fatal("a truncated encoding decoded")
	}
}
