package localapi_test

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"testing"
	"time"

	"teamlens/agent/internal/ingest"
	"teamlens/agent/internal/localapi"
	"teamlens/agent/internal/store"
	"teamlens/internal/testenv"
	"teamlens/shared/config"
	"teamlens/shared/journal"
	"teamlens/shared/localclient"
)

// now is the fixed clock of these tests: a Friday afternoon.
var now = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)

type env struct {
	store  *store.Store
	client *localclient.Client
	socket string
	login  string
}

// start opens a store in a temporary directory and serves the local API on
// a socket in it, as the agent does. The directory is world-traversable so
// other OS users may reach the socket.
func start(t *testing.T, pol config.Policy) *env {
	t.Helper()
	dir, err := os.MkdirTemp("", "localapi")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, filepath.Join(dir, "data"), store.Options{Location: time.UTC, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPolicy(ctx, pol); err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(dir, "agent.sock")
	srv := localapi.New(localapi.Config{Store: st, Now: func() time.Time { return now }})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, socket) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		st.Close()
	})
	c := localclient.NewClient(socket)
	waitHealthy(t, c)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return &env{store: st, client: c, socket: socket, login: me.Username}
}

func waitHealthy(t *testing.T, c *localclient.Client) {
	t.Helper()
	testenv.Eventually(t, 10*time.Second, "local API answers", func() error {
		return c.Health(context.Background())
	})
}

var userChoice = config.Policy{Analytics: config.AnalyticsUserChoice, SeatUsage: true}

// session returns the events of one product session starting at start:
// startup, an open, the commands (each started then completed, one every
// ten seconds), a save, and the end after minutes.
func session(start time.Time, product, version string, minutes int, startupMS int64, cmds ...string) []journal.Event {
	id := journal.NewSessionID()
	ev := func(at time.Time, typ string) journal.Event {
		return journal.Event{TS: at, Product: product, Version: version, Session: id, Type: typ}
	}
	s := ev(start, journal.SessionStart)
	s.StartupMS = &startupMS
	out := []journal.Event{s}
	o := ev(start.Add(time.Second), journal.DocumentOpen)
	o.DurationMS, o.SizeBytes = 800, 1<<20
	out = append(out, o)
	at := start.Add(2 * time.Second)
	for _, c := range cmds {
		st := ev(at, journal.Command)
		st.Name, st.Outcome = c, "started"
		done := ev(at.Add(3*time.Second), journal.Command)
		done.Name, done.Outcome = c, "completed"
		out = append(out, st, done)
		at = at.Add(10 * time.Second)
	}
	sv := ev(at, journal.DocumentSave)
	sv.DurationMS, sv.SizeBytes = 400, 1<<20
	return append(out, sv, ev(start.Add(time.Duration(minutes)*time.Minute), journal.SessionEnd))
}

func commit(t *testing.T, st *store.Store, login string, events []journal.Event) {
	t.Helper()
	if _, err := (ingest.Pipeline{Repo: st}).Commit(context.Background(), ingest.Batch{User: login, Events: events}); err != nil {
		t.Fatal(err)
	}
}

func consentOn(t *testing.T, st *store.Store, login string) {
	t.Helper()
	if err := st.SetConsent(context.Background(), login, true); err != nil {
		t.Fatal(err)
	}
}
