package ingest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"teamlens/agent/internal/gate"
	"teamlens/agent/internal/ingest"
	"teamlens/agent/internal/rollup"
	"teamlens/shared/journal"
)

// memRepo is a repository in memory whose transactions apply only when
// they succeed, as the SQLite one's do.
type memRepo struct {
	rules    gate.Rules
	events   []journal.Event
	sessions map[rollup.SessionKey]rollup.Span
	days     map[rollup.DayKey]rollup.Day
	files    []ingest.Position
	rejects  map[string]int
	failPut  bool
}

type memTx struct {
	r       *memRepo
	events  []journal.Event
	changes rollup.Changes
	files   []ingest.Position
	rejects map[string]int
}

func (r *memRepo) Calendar() rollup.Calendar { return rollup.Calendar{Loc: time.UTC} }

func (r *memRepo) Ingest(_ context.Context, _ string, fn func(ingest.Tx) error) error {
	tx := &memTx{r: r}
	if err := fn(tx); err != nil {
		return err
	}
	r.events = append(r.events, tx.events...)
	for k, s := range tx.changes.Sessions {
		r.sessions[k] = s
	}
	for k, d := range tx.changes.Days {
		r.days[k] = *d
	}
	r.files = append(r.files, tx.files...)
	for k, n := range tx.rejects {
		r.rejects[k] += n
	}
	return nil
}

func (t *memTx) Rules() (gate.Rules, error) { return t.r.rules, nil }
func (t *memTx) Session(k rollup.SessionKey) (rollup.Span, bool, error) {
	s, ok := t.r.sessions[k]
	return s, ok, nil
}
func (t *memTx) Day(k rollup.DayKey) (rollup.Day, bool, error) {
	d, ok := t.r.days[k]
	return d, ok, nil
}
func (t *memTx) PutEvents(e []journal.Event) error { t.events = e; return nil }
func (t *memTx) PutChanges(ch rollup.Changes) error {
	if t.r.failPut {
		return errors.New("disk full")
	}
	t.changes = ch
	return nil
}
func (t *memTx) PutTally(rejects map[string]int, _ int, files []ingest.Position) error {
	t.rejects, t.files = rejects, files
	return nil
}

func newRepo(rules gate.Rules) *memRepo {
	return &memRepo{rules: rules, sessions: map[rollup.SessionKey]rollup.Span{}, days: map[rollup.DayKey]rollup.Day{}, rejects: map[string]int{}}
}

func batch() ingest.Batch {
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	cmd := journal.Event{TS: t0.Add(time.Minute), Product: "AutoCAD", Version: "2027.1", Session: "a", Type: journal.Command, Name: "LINE", Outcome: "completed"}
	start := journal.Event{TS: t0, Product: "AutoCAD", Version: "2027.1", Session: "a", Type: journal.SessionStart}
	end := journal.Event{TS: t0.Add(time.Hour), Product: "AutoCAD", Version: "2027.1", Session: "a", Type: journal.SessionEnd}
	return ingest.Batch{User: "jdoe", Events: []journal.Event{start, cmd, end}, Rejects: map[string]int{"invalid_json": 1},
		Files: []ingest.Position{{Path: "/spool/a.jsonl", Offset: 300, Line: 4}}}
}

func TestCommitRunsTheGateThenTheRollup(t *testing.T) {
	repo := newRepo(gate.Rules{SeatUsage: true})
	res, err := ingest.Pipeline{Repo: repo}.Commit(context.Background(), batch())
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored != 2 || res.Discarded != 1 || len(repo.events) != 2 {
		t.Fatalf("result %+v, %d events kept", res, len(repo.events))
	}
	d := repo.days[rollup.DayKey{Product: "AutoCAD", Version: "2027.1", Date: "2026-11-20"}]
	if d.Minutes != 60 || d.Sessions != 1 || d.Analytics != nil {
		t.Fatalf("day %+v", d)
	}
	if len(repo.files) != 1 || repo.rejects["invalid_json"] != 1 {
		t.Fatalf("files %v rejects %v", repo.files, repo.rejects)
	}
}

func TestFailedCommitKeepsNothing(t *testing.T) {
	repo := newRepo(gate.Rules{SeatUsage: true, Analytics: true})
	repo.failPut = true
	if _, err := (ingest.Pipeline{Repo: repo}).Commit(context.Background(), batch()); err == nil {
		t.Fatal("no error")
	}
	if len(repo.events)+len(repo.days)+len(repo.files)+len(repo.rejects) != 0 {
		t.Fatalf("a failed commit kept %d events, %d days, %d positions", len(repo.events), len(repo.days), len(repo.files))
	}
}
