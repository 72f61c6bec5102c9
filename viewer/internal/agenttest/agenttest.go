// Package agenttest runs the real agent for the viewer's tests: it builds
// the agent binary, starts `agent run` on temporary directories and a
// socket, and writes product journals into its spool with the journal
// Writer, as a CAD plug-in would. It never imports Fyne.
package agenttest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // to seed the benchmark cache as the uploader would

	"teamlens/shared/journal"
	"teamlens/shared/localclient"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary builds the agent once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "agentbin")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "agent")
		cmd := exec.Command("go", "build", "-o", binary, "teamlens/agent")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build agent: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// Options shape the agent started.
type Options struct {
	// Consent turns analytics on for the test's own user before the run.
	Consent bool
	// AnalyticsDisabled sets the admin policy to "disabled".
	AnalyticsDisabled bool
}

// Agent is one running agent.
type Agent struct {
	Dir, DataDir, Spool, Socket string
	Client                      *localclient.Client
	bin                         string
}

// Start runs `agent run` until the test ends.
func Start(t testing.TB, opt Options) *Agent {
	t.Helper()
	bin := Binary(t)
	dir, err := os.MkdirTemp("", "agentrun")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	a := &Agent{Dir: dir, DataDir: filepath.Join(dir, "data"), Spool: filepath.Join(dir, "spool"),
		Socket: filepath.Join(dir, "agent.sock"), bin: bin}
	conf := filepath.Join(dir, "agent.toml")
	policy := "user-choice"
	if opt.AnalyticsDisabled {
		policy = "disabled"
	}
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("analytics = %q\nprocess_scan = false\n", policy)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(a.Spool, 0o1777); err != nil {
		t.Fatal(err)
	}
	if opt.Consent {
		if out, err := exec.Command(bin, "consent", "--config", conf, "--data-dir", a.DataDir, "--user", currentUser(t), "on").CombinedOutput(); err != nil {
			t.Fatalf("agent consent: %v\n%s", err, out)
		}
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "run", "--config", conf, "--data-dir", a.DataDir, "--spool-dir", a.Spool,
		"--socket", a.Socket, "--scan-interval", "1h")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			// Stderr, not t.Logf: a shared agent stops after its test ended.
			fmt.Fprintf(os.Stderr, "agent log:\n%s", logs.String())
		}
	})
	a.Client = localclient.NewClient(a.Socket)
	a.wait(t, "the agent to answer", func(ctx context.Context) (bool, error) {
		return a.Client.Health(ctx) == nil, nil
	})
	return a
}

func currentUser(t testing.TB) string {
	out, err := exec.Command("id", "-un").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// wait polls cond until it holds; the bound is generous because a loaded
// two-core machine is slow, and only failure waits it out.
func (a *Agent) wait(t testing.TB, what string, cond func(context.Context) (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ok, err := cond(ctx)
		cancel()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (last error: %v)", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitEvents waits until the agent has stored at least n events of the
// test's user.
func (a *Agent) WaitEvents(t testing.TB, n int) {
	t.Helper()
	a.wait(t, fmt.Sprintf("%d events", n), func(ctx context.Context) (bool, error) {
		ev, err := a.Client.Events(ctx, 1)
		return err == nil && ev.Total >= n, err
	})
}

// WaitDays waits until the agent has rolled up at least n day records.
func (a *Agent) WaitDays(t testing.TB, n int) {
	t.Helper()
	a.wait(t, fmt.Sprintf("%d days", n), func(ctx context.Context) (bool, error) {
		d, err := a.Client.Days(ctx, "", "")
		return err == nil && len(d) >= n, err
	})
}

// SetBenchmarks stores a benchmark cache where the uploader keeps it.
func (a *Agent) SetBenchmarks(t testing.TB, json string) {
	t.Helper()
	a.exec(t, `INSERT INTO meta (key, value) VALUES ('benchmarks', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, json)
}

// MarkUploaded records every day as accepted by the collector at its
// current revision, as the uploader does after a 200.
func (a *Agent) MarkUploaded(t testing.TB) {
	t.Helper()
	a.exec(t, `UPDATE days SET sent_rev = rev`)
}

// DayStates counts the test's days: those holding analytics, and those
// waiting to be sent (again).
func (a *Agent) DayStates(t testing.TB) (withAnalytics, pending int) {
	t.Helper()
	db := a.db(t)
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE analytics IS NOT NULL), count(*) FILTER (WHERE rev > sent_rev) FROM days`).
		Scan(&withAnalytics, &pending); err != nil {
		t.Fatal(err)
	}
	return withAnalytics, pending
}

func (a *Agent) db(t testing.TB) *sql.DB {
	db, err := sql.Open("sqlite", filepath.Join(a.DataDir, "agent.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func (a *Agent) exec(t testing.TB, query string, args ...any) {
	t.Helper()
	db := a.db(t)
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

// Session is one product session to write.
type Session struct {
	Product, Version string
	Start            time.Time
	Minutes          int
	StartupMS        int64    // < 0 leaves it out
	Commands         []string // each started then completed
	// Drawing figures, written after the commands.
	Objects  map[string]int64
	Views    [][2]string // view, change
	Settings map[string]float64
}

// Write writes the sessions as journals in the spool and returns how many
// events they hold.
func (a *Agent) Write(t testing.TB, sessions []Session) int {
	t.Helper()
	n := 0
	for _, s := range sessions {
		w, err := journal.Create(a.Spool, s.Product, s.Version)
		if err != nil {
			t.Fatal(err)
		}
		at := s.Start
		w.Now = func() time.Time { return at }
		step := func(d time.Duration) { at = at.Add(d) }
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		must(w.Start(s.StartupMS))
		step(2 * time.Second)
		must(w.Open(time.Duration(600+len(s.Commands)*7)*time.Millisecond, 2<<20))
		for _, c := range s.Commands {
			step(5 * time.Second)
			must(w.Command(c, "started"))
			step(4 * time.Second)
			must(w.Command(c, "completed"))
		}
		if len(s.Objects) > 0 {
			must(w.Objects(s.Objects))
		}
		for _, v := range s.Views {
			step(time.Second)
			must(w.View(v[0], v[1]))
		}
		for name, v := range s.Settings {
			must(w.SettingNumber(name, v))
		}
		step(time.Second)
		must(w.Save(time.Duration(300+len(s.Commands)*3)*time.Millisecond, 2<<20))
		at = s.Start.Add(time.Duration(s.Minutes) * time.Minute)
		must(w.End())
	}
	return n
}

// Year returns a realistic year of sessions ending today: AutoCAD most
// working days with recurring command habits, Revit some days, Inventor
// (usage time only) now and then.
func Year(today time.Time) []Session {
	var out []Session
	habits := [][]string{
		{"LINE", "LINE", "OFFSET", "TRIM", "COPY", "ROTATE", "ZOOM", "PAN"},
		{"PLINE", "HATCH", "COPY", "ROTATE", "DIMLINEAR", "MTEXT", "ZOOM"},
		{"LAYER", "LAYISO", "MOVE", "COPY", "ROTATE", "ERASE", "QSAVE"},
		{"INSERT", "BEDIT", "ATTDEF", "CIRCLE", "ARC", "FILLET", "ZOOM", "PLOT"},
	}
	start := time.Date(today.Year(), today.Month(), today.Day(), 9, 0, 0, 0, today.Location()).AddDate(0, 0, -364)
	for i := range 365 {
		day := start.AddDate(0, 0, i)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		cmds := append(append([]string{}, habits[i%len(habits)]...), habits[(i/7)%len(habits)]...)
		out = append(out, Session{Product: "AutoCAD", Version: versionFor(i, "2026.2", "2027.1"), Start: day,
			Minutes: 120 + (i*37)%180, StartupMS: int64(3200 + (i*53)%2400), Commands: cmds,
			Objects: map[string]int64{"LINE": int64(800 + (i*31)%900), "LWPOLYLINE": int64(200 + (i*17)%300),
				"INSERT": int64(40 + i%60), "HATCH": int64(10 + i%25), "MTEXT": int64(30 + (i*7)%40), "DIMENSION": int64(60 + (i*11)%80)},
			Views:    views[:1+i%len(views)],
			Settings: map[string]float64{"OSMODE": 4133, "PICKBOX": 5, "FILEDIA": 1, "ZOOMFACTOR": 40, "SAVETIME": 10}})
		if i%3 == 0 {
			out = append(out, Session{Product: "Revit", Version: "2027", Start: day.Add(5 * time.Hour),
				Minutes: 60 + (i*13)%90, StartupMS: int64(9000 + (i*71)%5000),
				Commands: []string{"WALL", "DOOR", "WINDOW", "TAG", "SECTION", "SYNC"}})
		}
		if i%10 == 0 {
			out = append(out, Session{Product: "Inventor", Version: "2027", Start: day.Add(7 * time.Hour),
				Minutes: 45, StartupMS: -1})
		}
	}
	return out
}

// views are the view changes of a year's AutoCAD session, of which each
// day writes a part.
var views = [][2]string{{"2d", "zoom"}, {"2d", "pan"}, {"2d", "zoom"}, {"3d", "orbit"}, {"2d", "zoom"}, {"named", "restore"}, {"2d", "pan"}}

func versionFor(i int, old, cur string) string {
	if i < 200 {
		return old
	}
	return cur
}
