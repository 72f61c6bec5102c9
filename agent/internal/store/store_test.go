package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"teamlens/agent/internal/ingest"
	"teamlens/agent/internal/store"
	"teamlens/shared/config"
	"teamlens/shared/journal"
	"teamlens/shared/wire"
)

var ctx = context.Background()

func open(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(ctx, t.TempDir(), store.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func at(hhmm string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", hhmm)
	if err != nil {
		panic(err)
	}
	return t
}

func ev(ts, session, typ string) journal.Event {
	return journal.Event{TS: at(ts), Product: "AutoCAD", Version: "2027.1", Session: session, Type: typ}
}

func startup(e journal.Event, ms int64) journal.Event {
	e.StartupMS = &ms
	return e
}

func command(ts, session, name, outcome string) journal.Event {
	e := ev(ts, session, journal.Command)
	e.Name, e.Outcome = name, outcome
	return e
}

func commit(t *testing.T, st *store.Store, user string, events ...journal.Event) ingest.Result {
	t.Helper()
	res, err := ingest.Pipeline{Repo: st}.Commit(ctx, ingest.Batch{User: user, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func days(t *testing.T, st *store.Store, user string) map[string]wire.Day {
	t.Helper()
	ds, err := st.Days(ctx, user, "", "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]wire.Day{}
	for _, d := range ds {
		out[d.Date] = d
	}
	return out
}

func TestMinutesAreTheUnionOfSessionsSplitAtMidnight(t *testing.T) {
	st := open(t)
	commit(t, st, "jdoe",
		ev("2026-11-20 09:00", "a", journal.SessionStart),
		ev("2026-11-20 11:00", "a", journal.SessionEnd),
		// A second window overlapping the first: its hour counts once.
		ev("2026-11-20 10:00", "b", journal.SessionStart),
		ev("2026-11-20 12:00", "b", journal.SessionEnd),
		// A night shift across midnight.
		ev("2026-11-20 23:00", "c", journal.SessionStart),
	)
	commit(t, st, "jdoe", ev("2026-11-21 01:30", "c", journal.SessionEnd))
	got := days(t, st, "jdoe")
	if d := got["2026-11-20"]; d.Minutes != 180+60 || d.Sessions != 3 {
		t.Errorf("20th: %d minutes, %d sessions; want 240, 3", d.Minutes, d.Sessions)
	}
	if d := got["2026-11-21"]; d.Minutes != 90 || d.Sessions != 1 {
		t.Errorf("21st: %d minutes, %d sessions; want 90, 1", d.Minutes, d.Sessions)
	}
}

func TestAnalyticsOnlyWithConsent(t *testing.T) {
	st := open(t)
	res := commit(t, st, "jdoe",
		startup(ev("2026-11-20 09:00", "a", journal.SessionStart), 3000),
		command("2026-11-20 09:05", "a", "LINE", "completed"),
	)
	if res.Stored != 1 || res.Discarded != 1 {
		t.Fatalf("without consent: stored %d, discarded %d; want 1, 1", res.Stored, res.Discarded)
	}
	exp, err := st.Export(ctx, "jdoe")
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Events) != 1 || string(exp.Events[0]) != `{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"a","type":"session.start"}` {
		t.Fatalf("without consent the store kept %s", exp.Events)
	}
	if d := days(t, st, "jdoe")["2026-11-20"]; d.Analytics != nil {
		t.Fatalf("analytics rolled up without consent: %+v", d.Analytics)
	}

	if err := st.SetConsent(ctx, "jdoe", true); err != nil {
		t.Fatal(err)
	}
	commit(t, st, "jdoe",
		command("2026-11-20 09:10", "a", "LINE", "completed"),
		command("2026-11-20 09:11", "a", "LINE", "canceled"),
	)
	// Another user's consent is not jdoe's.
	commit(t, st, "asmith", command("2026-11-20 09:10", "z", "LINE", "completed"))
	d := days(t, st, "jdoe")["2026-11-20"]
	if d.Analytics == nil {
		t.Fatalf("analytics %+v", d.Analytics)
	}
	if o := d.Analytics.Commands["LINE"]; o == nil || o.Completed != 1 || o.Canceled != 1 {
		t.Fatalf("LINE outcomes %+v", o)
	}
	if a := days(t, st, "asmith")["2026-11-20"].Analytics; a != nil {
		t.Fatalf("asmith has analytics without consent: %+v", a)
	}

	// Withdrawing consent drops the analytics not yet uploaded.
	if err := st.SetConsent(ctx, "jdoe", false); err != nil {
		t.Fatal(err)
	}
	pending, err := st.PendingDays(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pending {
		if p.Analytics != nil {
			t.Fatalf("analytics of %s still pending after consent off", p.User)
		}
	}
}

func TestPolicy(t *testing.T) {
	st := open(t)
	if err := st.SetPolicy(ctx, config.Policy{Analytics: config.AnalyticsDisabled, SeatUsage: false}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetConsent(ctx, "jdoe", true); !errors.Is(err, store.ErrAnalyticsDisabled) {
		t.Fatalf("opt-in under a disabled policy: %v", err)
	}
	res := commit(t, st, "jdoe", ev("2026-11-20 09:00", "a", journal.SessionStart), command("2026-11-20 09:05", "a", "LINE", "completed"))
	if res.Stored != 0 {
		t.Fatalf("stored %d events with seat usage and analytics off", res.Stored)
	}
	if got := days(t, st, ""); len(got) != 0 {
		t.Fatalf("days %+v", got)
	}
}

func TestUploadQueue(t *testing.T) {
	st := open(t)
	commit(t, st, "jdoe", ev("2026-11-20 09:00", "a", journal.SessionStart), ev("2026-11-20 10:00", "a", journal.SessionEnd))
	pending, err := st.PendingDays(ctx, 10)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending %v, %v", pending, err)
	}
	// The day grows while the upload is in flight: it must stay pending.
	commit(t, st, "jdoe", ev("2026-11-20 11:00", "b", journal.SessionStart), ev("2026-11-20 11:30", "b", journal.SessionEnd))
	if err := st.MarkUploaded(ctx, pending); err != nil {
		t.Fatal(err)
	}
	again, _ := st.PendingDays(ctx, 10)
	if len(again) != 1 || again[0].Minutes != 90 {
		t.Fatalf("after a change in flight: %+v", again)
	}
	if err := st.Quarantine(ctx, again[0], "refused"); err != nil {
		t.Fatal(err)
	}
	if left, _ := st.PendingDays(ctx, 10); len(left) != 0 {
		t.Fatalf("quarantined day still pending: %+v", left)
	}
	s, err := st.Status(ctx)
	if err != nil || s.Queue.DaysQuarantined != 1 || s.Queue.DaysPending != 0 {
		t.Fatalf("status queue %+v, %v", s.Queue, err)
	}
}

func TestForget(t *testing.T) {
	st := open(t)
	if err := st.SetConsent(ctx, "jdoe", true); err != nil {
		t.Fatal(err)
	}
	commit(t, st, "jdoe", ev("2026-11-20 09:00", "a", journal.SessionStart), command("2026-11-20 09:05", "a", "LINE", "completed"))
	commit(t, st, "asmith", ev("2026-11-20 09:00", "b", journal.SessionStart))
	if err := st.Forget(ctx, "jdoe"); err != nil {
		t.Fatal(err)
	}
	exp, _ := st.Export(ctx, "jdoe")
	if len(exp.Events) != 0 || len(exp.Days) != 0 {
		t.Fatalf("left after forget: %+v", exp)
	}
	if on, _ := st.Consent(ctx, "jdoe"); on {
		t.Error("consent survived forget")
	}
	if exp, _ := st.Export(ctx, "asmith"); len(exp.Events) != 1 {
		t.Errorf("forget took another user's data: %+v", exp)
	}
}

func TestPruneKeepsDays(t *testing.T) {
	now := at("2026-11-27 12:00")
	st, err := store.Open(ctx, t.TempDir(), store.Options{Location: time.UTC, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	commit(t, st, "jdoe", ev("2026-07-01 09:00", "old", journal.SessionStart), ev("2026-07-01 10:00", "old", journal.SessionEnd))
	commit(t, st, "jdoe", ev("2026-11-26 09:00", "new", journal.SessionStart))
	n, err := st.Prune(ctx, 90*24*time.Hour, 1<<30)
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2", n, err)
	}
	if d := days(t, st, "jdoe")["2026-07-01"]; d.Minutes != 60 {
		t.Errorf("the old day record went with its events: %+v", d)
	}
	// A cap below the database's size removes the oldest events first.
	if _, err := st.Prune(ctx, 90*24*time.Hour, 1); err != nil {
		t.Fatal(err)
	}
	if exp, _ := st.Export(ctx, "jdoe"); len(exp.Events) != 0 || len(exp.Days) != 2 {
		t.Errorf("after the size cap: %d events, %d days", len(exp.Events), len(exp.Days))
	}
}

// TestDayFromBeforeBusyTimeWasKept: a day rolled up by an agent that kept
// no busy time (busy NULL after the upgrade) is counted from its sessions
// once, then kept.
func TestDayFromBeforeBusyTimeWasKept(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(ctx, dir, store.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	commit(t, st, "jdoe", ev("2026-11-20 09:00", "a", journal.SessionStart), ev("2026-11-20 10:00", "a", journal.SessionEnd))
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE days SET busy = NULL`); err != nil {
		t.Fatal(err)
	}
	// Overlapping the old session by half an hour.
	commit(t, st, "jdoe", ev("2026-11-20 09:30", "b", journal.SessionStart), ev("2026-11-20 10:30", "b", journal.SessionEnd))
	commit(t, st, "jdoe", ev("2026-11-20 12:00", "c", journal.SessionStart), ev("2026-11-20 12:15", "c", journal.SessionEnd))
	if d := days(t, st, "jdoe")["2026-11-20"]; d.Minutes != 90+15 || d.Sessions != 3 {
		t.Fatalf("%d minutes, %d sessions; want 105, 3", d.Minutes, d.Sessions)
	}
}
