package upload_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"teamlens/agent/internal/ingest"
	"teamlens/agent/internal/store"
	"teamlens/agent/internal/upload"
	"teamlens/internal/testenv"
	"teamlens/shared/journal"
)

// These tests upload to the real collector, run as a process.

var ctx = context.Background()

var collectorBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "collector-bin")
	if err != nil {
		panic(err)
	}
	collectorBin = filepath.Join(dir, "collector")
	if out, err := exec.Command("go", "build", "-o", collectorBin, "teamlens/collector").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build collector: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type collector struct {
	url, db string
	addr    string
	cmd     *exec.Cmd
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startCollector runs a collector on addr with database db.
func startCollector(t *testing.T, addr, db string) *collector {
	t.Helper()
	c := &collector{url: "http://" + addr, db: db, addr: addr}
	c.cmd = exec.Command(collectorBin, "serve", "--db", db, "--listen", addr, "--enroll-secret", "s3cret")
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.stop)
	testenv.Eventually(t, 20*time.Second, "collector started", func() error {
		resp, err := http.Get(c.url + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	return c
}

func (c *collector) stop() {
	if c.cmd.ProcessState == nil {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	}
}

// stored returns the (day, minutes, has startup analytics) rows the
// collector holds.
func (c *collector) stored(t *testing.T) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+c.db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT product, day, minutes, startup_count IS NOT NULL FROM usage_days ORDER BY product, day`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var product, day string
		var minutes int
		var analytics bool
		if err := rows.Scan(&product, &day, &minutes, &analytics); err != nil {
			t.Fatal(err)
		}
		out[product+" "+day] = fmt.Sprintf("%d min analytics=%v", minutes, analytics)
	}
	return out
}

func newStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(ctx, dir, store.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, dir
}

// session stores one day's session of product for jdoe, with a startup time.
func session(t *testing.T, st *store.Store, product string, daysAgo int) {
	t.Helper()
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -daysAgo).Add(9 * time.Hour)
	ms := int64(3000)
	sid := fmt.Sprintf("s%d", daysAgo)
	evs := []journal.Event{
		{TS: start, Product: product, Version: "2027.1", Session: sid, Type: journal.SessionStart, StartupMS: &ms},
		{TS: start.Add(90 * time.Minute), Product: product, Version: "2027.1", Session: sid, Type: journal.SessionEnd},
	}
	if _, err := (ingest.Pipeline{Repo: st}).Commit(ctx, ingest.Batch{User: "jdoe", Events: evs}); err != nil {
		t.Fatal(err)
	}
}

func day(daysAgo int) string {
	return time.Now().UTC().AddDate(0, 0, -daysAgo).Format("2006-01-02")
}

func TestCollectorDownThenBack(t *testing.T) {
	st, dir := newStore(t)
	if err := st.SetConsent(ctx, "jdoe", true); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 7; i++ {
		session(t, st, "AutoCAD", i)
	}
	addr := freeAddr(t)
	u := &upload.Uploader{Collector: "http://" + addr, EnrollSecret: "s3cret", DataDir: dir, Store: st, BatchDays: 3, Products: []string{"AutoCAD"}}
	// The collector is down: nothing is lost, the error is recorded.
	if err := u.Once(ctx); err == nil {
		t.Fatal("upload to a stopped collector succeeded")
	}
	s, _ := st.Status(ctx)
	if s.Queue.DaysPending != 7 || s.LastUpload.Error == "" {
		t.Fatalf("after a failed upload: queue %+v, last %+v", s.Queue, s.LastUpload)
	}
	c := startCollector(t, addr, filepath.Join(t.TempDir(), "collector.db"))
	if err := u.Once(ctx); err != nil {
		t.Fatal(err)
	}
	got := c.stored(t)
	if len(got) != 7 || got["AutoCAD "+day(1)] != "90 min analytics=true" {
		t.Fatalf("collector holds %v", got)
	}
	if fi, err := os.Stat(filepath.Join(dir, upload.TokenFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("device token file: %v %v", fi, err)
	}
	s, _ = st.Status(ctx)
	if s.Queue.DaysPending != 0 || s.LastUpload.SuccessAt == "" {
		t.Fatalf("after upload: queue %+v, last %+v", s.Queue, s.LastUpload)
	}
	// A day that grows is sent again and replaces the earlier one.
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1).Add(12 * time.Hour)
	ingest.Pipeline{Repo: st}.Commit(ctx, ingest.Batch{User: "jdoe", Events: []journal.Event{
		{TS: start, Product: "AutoCAD", Version: "2027.1", Session: "t", Type: journal.SessionStart},
		{TS: start.Add(30 * time.Minute), Product: "AutoCAD", Version: "2027.1", Session: "t", Type: journal.SessionEnd},
	}})
	if err := u.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.stored(t); len(got) != 7 || got["AutoCAD "+day(1)] != "120 min analytics=true" {
		t.Fatalf("after the resend the collector holds %v", got)
	}
	if raw, _ := st.Meta(ctx, upload.BenchmarksKey); !strings.Contains(raw, `"AutoCAD"`) {
		t.Fatalf("benchmarks not cached: %q", raw)
	}
}

func TestRefusedDayIsQuarantinedAndTheRestGoes(t *testing.T) {
	st, dir := newStore(t)
	session(t, st, "AutoCAD", 1)
	session(t, st, "FooCAD", 1) // a product only this agent's catalog knows
	session(t, st, "Revit", 2)
	c := startCollector(t, freeAddr(t), filepath.Join(t.TempDir(), "collector.db"))
	u := &upload.Uploader{Collector: c.url, EnrollSecret: "s3cret", DataDir: dir, Store: st}
	if err := u.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.stored(t); len(got) != 2 || got["AutoCAD "+day(1)] == "" || got["Revit "+day(2)] == "" {
		t.Fatalf("collector holds %v", got)
	}
	s, _ := st.Status(ctx)
	if s.Queue.DaysQuarantined != 1 || s.Queue.DaysPending != 0 {
		t.Fatalf("queue %+v", s.Queue)
	}
}

func TestConsentWithdrawnBeforeUpload(t *testing.T) {
	st, dir := newStore(t)
	if err := st.SetConsent(ctx, "jdoe", true); err != nil {
		t.Fatal(err)
	}
	session(t, st, "AutoCAD", 1)
	if err := st.SetConsent(ctx, "jdoe", false); err != nil {
		t.Fatal(err)
	}
	c := startCollector(t, freeAddr(t), filepath.Join(t.TempDir(), "collector.db"))
	u := &upload.Uploader{Collector: c.url, EnrollSecret: "s3cret", DataDir: dir, Store: st}
	if err := u.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.stored(t); got["AutoCAD "+day(1)] != "90 min analytics=false" {
		t.Fatalf("collector holds %v", got)
	}
}

func TestWrongEnrollSecret(t *testing.T) {
	st, dir := newStore(t)
	session(t, st, "AutoCAD", 1)
	c := startCollector(t, freeAddr(t), filepath.Join(t.TempDir(), "collector.db"))
	u := &upload.Uploader{Collector: c.url, EnrollSecret: "wrong", DataDir: dir, Store: st}
	err := u.Once(ctx)
	if err == nil || !strings.Contains(err.Error(), "enroll secret") {
		t.Fatalf("err %v, want a refused enroll secret", err)
	}
	if s, _ := st.Status(ctx); s.Queue.DaysPending != 1 {
		t.Fatalf("queue %+v", s.Queue)
	}
}
