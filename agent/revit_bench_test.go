//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"teamlens/agent/internal/store"
	"teamlens/internal/testenv"
)

// BenchmarkAgentRevitIngest is BenchmarkAgentIngest for Revit journals:
// the journal folder holds copies of the two real journals (timestamps
// moved into the last two days) before `agent run --revit-journals`
// starts, and the agent's own CPU time is read when the last journal's
// events are committed. Every line of a journal is read and parsed, though
// only a few hundredth of them become events.
//
//	go test -run '^$' -bench 'AgentIngest|AgentRevitIngest' -benchtime 1x ./agent
//
// TEAMLENS_BENCH_JOURNALS sets the journals (default 200, ~216,000 lines).
func BenchmarkAgentRevitIngest(b *testing.B) {
	journals := 200
	if n, err := strconv.Atoi(os.Getenv("TEAMLENS_BENCH_JOURNALS")); err == nil && n > 0 {
		journals = n
	}
	var cpu, wall float64
	var lines int
	for i := 0; i < b.N; i++ {
		c, w, n := agentRevitIngest(b, journals)
		cpu, wall, lines = cpu+c, wall+w, lines+n
	}
	b.ReportMetric(cpu/float64(b.N), "agent-cpu-s")
	b.ReportMetric(wall/float64(b.N), "agent-wall-s")
	b.ReportMetric(float64(lines)/cpu, "agent-revit-lines/cpu-s")
}

func agentRevitIngest(b *testing.B, journals int) (cpu, wall float64, lines int) {
	loc := time.Local
	dir := b.TempDir()
	e := env{data: filepath.Join(dir, "data"), spool: filepath.Join(dir, "spool"), socket: filepath.Join(dir, "agent.sock"),
		config: filepath.Join(dir, "agent.toml")}
	if err := os.WriteFile(e.config, []byte("process_scan = false\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	folder := filepath.Join(dir, "Journals")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		b.Fatal(err)
	}
	me := currentLogin(b)
	if out, err := exec.Command(agentBin, "consent", "--data-dir", e.data, "--user", me, "on").CombinedOutput(); err != nil {
		b.Fatalf("consent: %v %s", err, out)
	}
	t0 := time.Now().In(loc).Add(-47 * time.Hour).Truncate(time.Second)
	for i := 0; i < journals; i++ {
		name := []string{"journal.0001.txt", "journal.0002.txt"}[i%2]
		data := shiftedJournal(b, name, loc, t0.Add(time.Duration(i)*10*time.Minute))
		lines += bytes.Count(data, []byte("\n"))
		if err := os.WriteFile(filepath.Join(folder, fmt.Sprintf("journal.%04d.txt", i+1)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	const perJournal = 7 // start, four commands, an open, end
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.data, store.FileName)+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cmd := exec.Command(agentBin, "run", "--config", e.config, "--data-dir", e.data, "--spool-dir", e.spool, "--socket", e.socket,
		"--revit-journals", folder)
	cmd.Stderr = &testenv.Buffer{}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	for {
		var n int
		// Until the agent has created its tables, the count fails: wait.
		if err := db.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&n); err == nil && n == journals*perJournal {
			break
		} else if n > journals*perJournal {
			b.Fatalf("%d events, want %d", n, journals*perJournal)
		}
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("not all journals read after 10 minutes; log:\n%s", cmd.Stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	wall = time.Since(start).Seconds()
	return cpuSeconds(b, cmd.Process.Pid), wall, lines
}
