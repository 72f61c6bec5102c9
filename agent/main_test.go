//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
	"teamlens/internal/testenv"
)

// These tests drive the real agent binary: real processes, real files,
// real kills.

var agentBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "agent-bin")
	if err != nil {
		panic(err)
	}
	agentBin = filepath.Join(dir, "agent")
	if out, err := exec.Command("go", "build", "-o", agentBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build agent: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type env struct {
	data, spool, socket, config string
}

func newEnv(t *testing.T) env {
	t.Helper()
	dir := t.TempDir()
	e := env{data: filepath.Join(dir, "data"), spool: filepath.Join(dir, "spool"), socket: filepath.Join(dir, "agent.sock"),
		config: filepath.Join(dir, "agent.toml")}
	// The journals are the tests' only source: a product process that other
	// tests run meanwhile must not add sessions.
	if err := os.WriteFile(e.config, []byte("process_scan = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(e.spool, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(e.spool, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e env) start(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(agentBin, "run", "--config", e.config, "--data-dir", e.data, "--spool-dir", e.spool,
		"--socket", e.socket, "--scan-interval", "1s")
	cmd.Stderr = &testenv.Buffer{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	e.waitDB(t)
	return cmd
}

// waitDB waits for the agent to create its database: the commands that
// read it refuse one that does not exist.
func (e env) waitDB(t *testing.T) {
	t.Helper()
	testenv.Eventually(t, 20*time.Second, "the agent's database created", func() error {
		_, err := os.Stat(filepath.Join(e.data, "agent.db"))
		return err
	})
}

func (e env) cli(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := e.tryCLI(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e env) tryCLI(args ...string) ([]byte, error) {
	args = append(args[:1:1], append([]string{"--data-dir", e.data}, args[1:]...)...)
	out, err := exec.Command(agentBin, args...).Output()
	if err != nil {
		return nil, fmt.Errorf("agent %v: %w", args, err)
	}
	return out, nil
}

type export struct {
	Events []map[string]any `json:"events"`
	Days   []struct {
		Date      string          `json:"date"`
		User      string          `json:"user"`
		Minutes   int             `json:"minutes"`
		Analytics json.RawMessage `json:"analytics"`
	} `json:"days"`
}

func (e env) export(t *testing.T, args ...string) export {
	t.Helper()
	var x export
	if err := json.Unmarshal(e.cli(t, append([]string{"export"}, args...)...), &x); err != nil {
		t.Fatal(err)
	}
	return x
}

func (e env) waitEvents(t *testing.T, want int) {
	t.Helper()
	e.waitDB(t)
	testenv.Eventually(t, 30*time.Second, "events stored", func() error {
		var s struct {
			Counts struct{ Events int } `json:"counts"`
		}
		// Until the agent has opened its database, status refuses it.
		out, err := e.tryCLI("status")
		if err != nil {
			return err
		}
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatal(err)
		}
		if s.Counts.Events > want {
			t.Fatalf("%d events stored, want %d", s.Counts.Events, want)
		}
		if s.Counts.Events != want {
			return fmt.Errorf("%d events stored, want %d", s.Counts.Events, want)
		}
		return nil
	})
}

func line(session string, i int) string {
	ts := recentStart.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
	return fmt.Sprintf(`{"v":1,"ts":%q,"product":"AutoCAD","version":"2027.1","session":%q,"type":"command","name":"LINE","outcome":"completed"}`+"\n", ts, session)
}

// TestKill9ExactlyOnce kills the agent at random moments while products
// write, restarts it, and checks that every complete line is stored once.
func TestKill9ExactlyOnce(t *testing.T) {
	e := newEnv(t)
	me, _ := user.Current()
	e.cli(t, "consent", "--user", me.Username, "on")
	const files, perFile = 4, 1500
	written := make(chan struct{})
	go func() {
		defer close(written)
		fs := make([]*os.File, files)
		for i := range fs {
			fs[i], _ = os.OpenFile(filepath.Join(e.spool, fmt.Sprintf("s%d.jsonl", i)), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
			defer fs[i].Close()
		}
		for i := 0; i < perFile; i++ {
			for f := range fs {
				fs[f].WriteString(line(fmt.Sprintf("s%d", f), i))
			}
			if i%100 == 0 {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}()
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 8; round++ {
		cmd := e.start(t)
		time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	<-written
	e.start(t)
	e.waitEvents(t, files*perFile)
	seen := map[string]bool{}
	for _, ev := range e.export(t).Events {
		key := fmt.Sprint(ev["session"], ev["ts"])
		if seen[key] {
			t.Fatalf("event %s stored twice", key)
		}
		seen[key] = true
	}
	if len(seen) != files*perFile {
		t.Fatalf("%d distinct events, want %d", len(seen), files*perFile)
	}
}

// TestIdentityIsTheFileOwner has two real OS users write journals; each
// event belongs to the owner of its file, and one user's consent never
// applies to the other.
func TestIdentityIsTheFileOwner(t *testing.T) {
	testenv.NeedRoot(t, "create OS users")
	alice, bob := osUser(t, "tlalice"), osUser(t, "tlbob")
	e := newEnv(t)
	// The users must reach the spool through the test's temporary folders.
	for dir := filepath.Dir(e.spool); dir != os.TempDir() && dir != "/"; dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e.cli(t, "consent", "--user", "tlalice", "on")
	e.start(t)
	// bob claims to be alice inside the line: the field is ignored.
	asUser(t, alice, filepath.Join(e.spool, "a.jsonl"), line("a1", 1)+line("a1", 2))
	asUser(t, bob, filepath.Join(e.spool, "b.jsonl"), `{"user":"tlalice",`+line("b1", 3)[1:])
	// Seat usage is recorded for both; analytics only for alice.
	asUser(t, bob, filepath.Join(e.spool, "b2.jsonl"), `{"v":1,"ts":"`+recentStart.Format(time.RFC3339)+`","product":"AutoCAD","version":"2027.1","session":"b2","type":"session.start"}`+"\n")
	e.waitEvents(t, 3)

	a := e.export(t, "--user", "tlalice")
	if len(a.Events) != 2 {
		t.Fatalf("alice has %d events, want 2", len(a.Events))
	}
	for _, ev := range a.Events {
		if ev["session"] != "a1" {
			t.Fatalf("alice holds an event of session %v", ev["session"])
		}
	}
	b := e.export(t, "--user", "tlbob")
	if len(b.Events) != 1 || b.Events[0]["session"] != "b2" {
		t.Fatalf("bob's events: %v", b.Events)
	}
	for _, d := range b.Days {
		if len(d.Analytics) > 0 && string(d.Analytics) != "null" {
			t.Fatalf("bob has analytics without consent: %s", d.Analytics)
		}
	}
	if got := string(bytes.TrimSpace(e.cli(t, "consent", "--user", "tlbob", "status"))); got != "off" {
		t.Fatalf("bob's consent %q, want off", got)
	}
}

func osUser(t *testing.T, name string) *user.User {
	t.Helper()
	if _, err := user.Lookup(name); err != nil {
		if out, err := exec.Command("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
			t.Fatalf("useradd %s: %v %s", name, err, out)
		}
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// asUser appends text to path in a process running as u.
func asUser(t *testing.T, u *user.User, path, text string) {
	t.Helper()
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	cmd := exec.Command("/bin/sh", "-c", `umask 077; cat >> "$1"`, "sh", path)
	cmd.Stdin = bytes.NewBufferString(text)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("write as %s: %v %s", u.Username, err, out)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Sys().(*syscall.Stat_t).Uid != uint32(uid) {
		t.Fatalf("%s is not owned by %s", path, u.Username)
	}
}

// TestDiskFullCatchesUp fills the data directory's file system while a
// product writes: the agent stores nothing it cannot commit, advances no
// position, and catches up once space returns.
func TestDiskFullCatchesUp(t *testing.T) {
	testenv.NeedRoot(t, "mount a small file system")
	e := newEnv(t)
	if err := os.MkdirAll(e.data, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", e.data).CombinedOutput(); err != nil {
		testenv.Missing(t, "cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", e.data).Run() })
	me, _ := user.Current()
	e.cli(t, "consent", "--user", me.Username, "on")
	cmd := e.start(t)
	e.waitEvents(t, 0)

	fill := filepath.Join(e.data, "fill")
	f, err := os.Create(fill)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	var text bytes.Buffer
	const n = 3000
	for i := 0; i < n; i++ {
		text.WriteString(line("full", i))
	}
	if err := os.WriteFile(filepath.Join(e.spool, "full.jsonl"), text.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "an error logged with the disk full", func() error {
		if !bytes.Contains(cmd.Stderr.(*testenv.Buffer).Bytes(), []byte("spool read")) {
			return fmt.Errorf("log:\n%s", cmd.Stderr)
		}
		return nil
	})
	if err := os.Remove(fill); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(t, n)
	if cmd.ProcessState != nil {
		t.Fatal("the agent exited on a full disk")
	}
}

// TestUploadSurvivesKills kills the collector and the agent at random
// moments while days are uploaded; in the end the collector holds every
// day once, with the minutes of the sessions the test wrote.
func TestUploadSurvivesKills(t *testing.T) {
	dir := t.TempDir()
	collectorBin, addr := buildCollector(t, dir)
	db := filepath.Join(dir, "collector.db")
	startCollector := func() *exec.Cmd {
		cmd := exec.Command(collectorBin, "serve", "--db", db, "--listen", addr, "--enroll-secret", "s")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	e := newEnv(t)
	me, _ := user.Current()
	e.cli(t, "consent", "--user", me.Username, "on")
	startAgent := func() *exec.Cmd {
		cmd := exec.Command(agentBin, "run", "--config", e.config, "--data-dir", e.data, "--spool-dir", e.spool,
			"--socket", e.socket, "--collector", "http://"+addr, "--enroll-secret", "s", "--upload-interval", "100ms")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	// Thirty days of sessions, written while things are killed.
	want := writeThirtyDays(e.spool)
	rng := rand.New(rand.NewPCG(3, 4))
	collector, agent := startCollector(), startAgent()
	for round := 0; round < 8; round++ {
		time.Sleep(time.Duration(100+rng.IntN(300)) * time.Millisecond)
		victim := &collector
		restart := startCollector
		if round%2 == 1 {
			victim, restart = &agent, startAgent
		}
		(*victim).Process.Signal(syscall.SIGKILL)
		(*victim).Wait()
		*victim = restart()
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var s struct {
			Counts struct{ Events, Days int } `json:"counts"`
			Queue  struct {
				DaysPending int `json:"days_pending"`
			} `json:"queue"`
		}
		if err := json.Unmarshal(e.cli(t, "status"), &s); err != nil {
			t.Fatal(err)
		}
		if s.Counts.Events == 60 && s.Counts.Days == 30 && s.Queue.DaysPending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled: %+v", s)
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := collectorMinutes(t, db)
	if len(got) != 30 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("collector holds %v\nthe journals make %v", got, want)
	}
}

// writeThirtyDays writes a session a day for the thirty days before today
// into spool, one file each, in the background, and returns the minutes
// they make per local day, counted here and not by the agent under test.
func writeThirtyDays(spool string) map[string]int {
	want := map[string]int{}
	var journals [][]byte
	for d := 0; d < 30; d++ {
		start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -30+d).Add(8 * time.Hour)
		end := start.Add(time.Duration(60+d) * time.Minute)
		for day := midnight(start); day.Before(end); day = day.AddDate(0, 0, 1) {
			from, to := max(start.UnixMilli(), day.UnixMilli()), min(end.UnixMilli(), day.AddDate(0, 0, 1).UnixMilli())
			want[day.Format("2006-01-02")] += int((to - from) / 60000)
		}
		var b bytes.Buffer
		for i, ts := range []time.Time{start, end} {
			typ := "session.start"
			if i == 1 {
				typ = "session.end"
			}
			fmt.Fprintf(&b, `{"v":1,"ts":%q,"product":"AutoCAD","version":"2027.1","session":"d%d","type":%q,"startup_ms":%d}`+"\n", ts.Format(time.RFC3339), d, typ, 3000+d)
		}
		journals = append(journals, b.Bytes())
	}
	go func() {
		for d, j := range journals {
			os.WriteFile(filepath.Join(spool, fmt.Sprintf("d%d.jsonl", d)), j, 0o600)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return want
}

// collectorMinutes reads the minutes per day of the collector's database,
// failing t for a day stored more than once.
func collectorMinutes(t *testing.T, db string) map[string]int {
	t.Helper()
	cdb, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer cdb.Close()
	rows, err := cdb.Query(`SELECT day, SUM(minutes), COUNT(*) FROM usage_days GROUP BY day`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var day string
		var minutes, n int
		if err := rows.Scan(&day, &minutes, &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s stored %d times", day, n)
		}
		got[day] = minutes
	}
	return got
}

// midnight is the start of t's day in the agent's (and the test's) time zone.
func midnight(t time.Time) time.Time {
	t = t.Local()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.Local)
}

// buildCollector builds the real collector into dir and picks a free
// loopback address for it to serve on.
func buildCollector(t *testing.T, dir string) (bin, addr string) {
	t.Helper()
	bin = filepath.Join(dir, "collector")
	if out, err := exec.Command("go", "build", "-o", bin, "teamlens/collector").CombinedOutput(); err != nil {
		t.Fatalf("build collector: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	return bin, addr
}

// recentStart is when the journals of these tests say a session started:
// a week ago on the real clock, which the real agent processes run on, so
// no retention or upload window ever leaves it behind.
var recentStart = testenv.Today().AddDate(0, 0, -7).Add(8 * time.Hour)
