//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"teamlens/internal/testenv"
)

// These tests hold the agent to bounded work per line, fairness between
// users and a quiet log, on the real process. Their sizes are small by
// default; TEAMLENS_FLOOD=1 runs them at the sizes (100,000 files,
// 20,000 links) and logs the figures.

func floodSize(small, full int) int {
	if os.Getenv("TEAMLENS_FLOOD") == "1" {
		return full
	}
	return small
}

type agentStatus struct {
	Counts struct {
		Events, Days, Files, Rejected int
	} `json:"counts"`
	Rejects map[string]int `json:"rejects"`
}

func (e env) status(t *testing.T) agentStatus {
	t.Helper()
	var s agentStatus
	if err := json.Unmarshal(e.cli(t, "status"), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// cpuSeconds is the CPU time a running process has used, from /proc.
func cpuSeconds(t testing.TB, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ
}

// TestOneLineCannotTieUpTheAgent writes a session from 2000 to 2100 and
// one that claims three hundred days: the first is refused, the second
// reaches at most eight days, and a later line is stored as usual.
func TestOneLineCannotTieUpTheAgent(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UTC()
	ev := func(ts time.Time, session, typ string) string {
		return fmt.Sprintf(`{"v":1,"ts":%q,"product":"AutoCAD","version":"2027.1","session":%q,"type":%q}`+"\n", ts.Format(time.RFC3339), session, typ)
	}
	century := ev(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), "c", "session.start") +
		ev(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), "c", "session.end")
	// Within the retention period, so the agent keeps both events.
	long := ev(now.AddDate(0, 0, -80), "l", "session.start") + ev(now.Add(-time.Hour), "l", "session.end")
	for name, text := range map[string]string{"century.jsonl": century, "long.jsonl": long} {
		if err := os.WriteFile(filepath.Join(e.spool, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e.start(t)
	e.waitEvents(t, 2)
	if err := os.WriteFile(filepath.Join(e.spool, "later.jsonl"), []byte(ev(now, "n", "session.start")), 0o600); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(t, 3)
	s := e.status(t)
	if s.Rejects["ts_out_of_range"] != 2 {
		t.Errorf("rejects %v, want 2 ts_out_of_range", s.Rejects)
	}
	// The long session: at most eight days; today's line: one more.
	if s.Counts.Days > 9 {
		t.Errorf("%d day records from three sessions", s.Counts.Days)
	}
	lo, hi := now.AddDate(-2, 0, 0).Format("2006-01-02"), now.AddDate(0, 0, 2).Format("2006-01-02")
	for _, d := range e.export(t).Days {
		if d.Date < lo || d.Date > hi {
			t.Errorf("day %s outside the collector's window", d.Date)
		}
	}
}

// TestFloodDoesNotStarveAnotherUser: one user's flood of one-line files is
// waiting when another user writes a line; that line is stored long
// before the flood is.
func TestFloodDoesNotStarveAnotherUser(t *testing.T) {
	testenv.NeedRoot(t, "create OS users")
	flooder, other := osUser(t, "tlaflood"), osUser(t, "tlaother")
	e := newEnv(t)
	for dir := filepath.Dir(e.spool); dir != os.TempDir() && dir != "/"; dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e.cli(t, "consent", "--user", "tlaflood", "on")
	e.cli(t, "consent", "--user", "tlaother", "on")
	n := floodSize(20000, 100000)
	uid, _ := strconv.Atoi(flooder.Uid)
	gid, _ := strconv.Atoi(flooder.Gid)
	for i := 0; i < n; i++ {
		path := filepath.Join(e.spool, fmt.Sprintf("f%06d.jsonl", i))
		if err := os.WriteFile(path, []byte(line(fmt.Sprintf("f%d", i), i%3600)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	cmd := e.start(t)
	start := time.Now()
	cpu0 := cpuSeconds(t, cmd.Process.Pid)
	e.waitAtLeast(t, 1)
	written := time.Now()
	asUser(t, other, filepath.Join(e.spool, "other.jsonl"), line("o1", 1))
	var floodDone int
	testenv.Eventually(t, 120*time.Second, "the other user's line stored", func() error {
		if len(e.export(t, "--user", "tlaother").Events) == 1 {
			floodDone = e.status(t).Counts.Events - 1
			return nil
		}
		return fmt.Errorf("not yet")
	})
	wait := time.Since(written)
	if floodDone >= n {
		t.Fatalf("the other user's line waited for all %d of the flood's files", n)
	}
	testenv.Eventually(t, 20*time.Minute, "the flood stored", func() error {
		if got := e.status(t).Counts.Events; got != n+1 {
			return fmt.Errorf("%d events stored, want %d", got, n+1)
		}
		return nil
	})
	t.Logf("%d one-line files: %.1f s, %.2f CPU-s of the agent; the other user's line stored %.2f s after it was written (%d of the flood stored by then)",
		n, time.Since(start).Seconds(), cpuSeconds(t, cmd.Process.Pid)-cpu0, wait.Seconds(), floodDone)
}

func (e env) waitAtLeast(t *testing.T, n int) {
	t.Helper()
	e.waitFor(t, "events stored", func(s agentStatus) bool { return s.Counts.Events >= n })
}

// waitFor polls `agent status` until ok holds.
func (e env) waitFor(t *testing.T, what string, ok func(agentStatus) bool) {
	t.Helper()
	e.waitDB(t)
	testenv.Eventually(t, 60*time.Second, what, func() error {
		// Until the agent has opened its database, status refuses it.
		out, err := e.tryCLI("status")
		if err != nil {
			return err
		}
		var s agentStatus
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatal(err)
		}
		if !ok(s) {
			return fmt.Errorf("status %+v", s)
		}
		return nil
	})
}

// TestUnreadableEntriesAreSetAside fills the spool with dangling links,
// FIFOs and a sparse file of a gigabyte without a newline while the agent
// runs: each is set aside once, the log stays small, and a journal
// written after them is read.
func TestUnreadableEntriesAreSetAside(t *testing.T) {
	e := newEnv(t)
	e.cli(t, "consent", "--user", currentLogin(t), "on")
	cmd := e.start(t)
	e.waitEvents(t, 0)
	testenv.Eventually(t, 10*time.Second, "the agent started", func() error {
		if !strings.Contains(cmd.Stderr.(*testenv.Buffer).String(), "agent started") {
			return fmt.Errorf("log: %s", cmd.Stderr)
		}
		return nil
	})
	logBefore := len(cmd.Stderr.(*testenv.Buffer).Bytes())
	cpu0 := cpuSeconds(t, cmd.Process.Pid)
	n := floodSize(2000, 20000)
	for i := 0; i < n; i++ {
		if err := os.Symlink(filepath.Join(e.spool, "nowhere", strconv.Itoa(i)), filepath.Join(e.spool, fmt.Sprintf("l%06d.jsonl", i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 100; i++ {
		if err := syscall.Mkfifo(filepath.Join(e.spool, fmt.Sprintf("p%03d.jsonl", i)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sparse, err := os.Create(filepath.Join(e.spool, "sparse.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sparse.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	sparse.Close()
	if err := os.WriteFile(filepath.Join(e.spool, "ok.jsonl"), []byte(line("ok", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(t, 1)
	// Past the reader's retry period: nothing set aside is tried again.
	time.Sleep(6 * time.Second)
	logged := len(cmd.Stderr.(*testenv.Buffer).Bytes()) - logBefore
	t.Logf("%d dangling links, 100 FIFOs, a sparse 1 GiB file: %d log bytes, %.2f CPU-s of the agent",
		n, logged, cpuSeconds(t, cmd.Process.Pid)-cpu0)
	if logged > 16<<10 {
		t.Fatalf("%d log bytes for entries set aside:\n%s", logged, cmd.Stderr.(*testenv.Buffer).Bytes()[logBefore:])
	}
	if s := e.status(t); s.Counts.Files != 1 {
		t.Fatalf("%d read positions, want only the journal's", s.Counts.Files)
	}
}

func currentLogin(t testing.TB) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}
