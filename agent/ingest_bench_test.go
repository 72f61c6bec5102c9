//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package main

import (
	"bufio"
	"context"
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
	"teamlens/shared/journal"

	"teamlens/internal/testenv"
)

// BenchmarkAgentIngest measures ingest as a user runs it: the spool holds
// the lines before `agent run` starts, and the agent process's own CPU
// time (from /proc) is read when the last line is committed. Beside it,
// the same rows are inserted raw (one prepared statement, transactions of
// 2,000) into the same schema with the agent's pragmas (secure_delete
// included) in this process, measured by rusage; and once more without
// secure_delete, to show what it costs.
//
//	go test -run '^$' -bench AgentIngest -benchtime 1x ./agent
//
// TEAMLENS_BENCH_LINES sets the lines (default 200,000); with
// TEAMLENS_CPUPROFILE=F the agent writes a CPU profile of its whole run
// to F (go tool pprof F).
func BenchmarkAgentIngest(b *testing.B) {
	lines := 200000
	if n, err := strconv.Atoi(os.Getenv("TEAMLENS_BENCH_LINES")); err == nil && n > 0 {
		lines = n
	}
	var agentCPU, rawCPU, plainCPU, wall float64
	for i := 0; i < b.N; i++ {
		cpu, w := agentIngest(b, lines)
		agentCPU, wall = agentCPU+cpu, wall+w
		rawCPU += rawInsert(b, lines, "&_pragma=secure_delete(ON)")
		plainCPU += rawInsert(b, lines, "")
	}
	n := float64(lines * b.N)
	b.ReportMetric(agentCPU/float64(b.N), "agent-cpu-s")
	b.ReportMetric(wall/float64(b.N), "agent-wall-s")
	b.ReportMetric(n/agentCPU, "agent-lines/cpu-s")
	b.ReportMetric(n/rawCPU, "raw-lines/cpu-s")
	b.ReportMetric(rawCPU/agentCPU, "agent/raw")
	b.ReportMetric(n/plainCPU, "raw-no-secure-delete-lines/cpu-s")
}

const benchFiles = 20

// benchEvents are the lines of the benchmark: sessions of commands, saves
// and settings, as a day of work writes them.
func benchEvents(lines int) [][]byte {
	out := make([][]byte, 0, lines)
	t0 := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Hour)
	for i := 0; i < lines; i++ {
		f := i % benchFiles
		ts := t0.Add(time.Duration(i/benchFiles) * 100 * time.Millisecond).Format(time.RFC3339Nano)
		head := fmt.Sprintf(`{"v":1,"ts":%q,"product":"AutoCAD","version":"2027.1","session":"s%d",`, ts, f)
		var tail string
		switch {
		case i < benchFiles:
			tail = `"type":"session.start","startup_ms":4100}`
		case i%50 == 0:
			tail = `"type":"document.save","duration_ms":420,"size_bytes":123456}`
		case i%97 == 0:
			tail = `"type":"setting","name":"FILEDIA","value":1}`
		default:
			tail = fmt.Sprintf(`"type":"command","name":"_%s","outcome":"completed"}`, []string{"line", "move", "copy", "trim", "zoom"}[i%5])
		}
		out = append(out, []byte(head+tail+"\n"))
	}
	return out
}

// agentIngest runs `agent run` on a spool of lines and returns its CPU
// and wall seconds until every line is committed.
func agentIngest(b *testing.B, lines int) (cpu, wall float64) {
	dir := b.TempDir()
	e := env{data: filepath.Join(dir, "data"), spool: filepath.Join(dir, "spool"), socket: filepath.Join(dir, "agent.sock"),
		config: filepath.Join(dir, "agent.toml")}
	if err := os.WriteFile(e.config, []byte("process_scan = false\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(e.spool, 0o755); err != nil {
		b.Fatal(err)
	}
	me := currentLogin(b)
	if out, err := exec.Command(agentBin, "consent", "--data-dir", e.data, "--user", me, "on").CombinedOutput(); err != nil {
		b.Fatalf("consent: %v %s", err, out)
	}
	writers := make([]*bufio.Writer, benchFiles)
	for f := range writers {
		fh, err := os.Create(filepath.Join(e.spool, fmt.Sprintf("AutoCAD-s%d.jsonl", f)))
		if err != nil {
			b.Fatal(err)
		}
		defer fh.Close()
		writers[f] = bufio.NewWriter(fh)
	}
	for i, l := range benchEvents(lines) {
		writers[i%benchFiles].Write(l)
	}
	for _, w := range writers {
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.data, store.FileName)+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()

	cmd := exec.Command(agentBin, "run", "--config", e.config, "--data-dir", e.data, "--spool-dir", e.spool, "--socket", e.socket)
	cmd.Env = os.Environ()
	cmd.Stderr = &testenv.Buffer{}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	for {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n == lines {
			break
		}
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("%d of %d lines after 10 minutes; log:\n%s", n, lines, cmd.Stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	wall = time.Since(start).Seconds()
	return cpuSeconds(b, cmd.Process.Pid), wall
}

// rawInsert inserts the benchmark's rows, sanitized beforehand, into a
// fresh agent database and returns the CPU seconds it took.
func rawInsert(b *testing.B, lines int, pragmas string) float64 {
	ctx := context.Background()
	dir := b.TempDir()
	st, err := store.Open(ctx, dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	st.Close()
	san := journal.Sanitizer{}
	type row struct {
		ts                             int64
		product, version, session, typ string
		body                           []byte
	}
	rows := make([]row, 0, lines)
	for _, l := range benchEvents(lines) {
		e, err := san.Sanitize(l[:len(l)-1])
		if err != nil {
			b.Fatal(err)
		}
		body, _ := e.MarshalJSON()
		rows = append(rows, row{e.TS.UnixMilli(), e.Product, e.Version, e.Session, e.Type, body})
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.FileName)+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)"+pragmas)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	before := selfCPU()
	for n := 0; n < lines; n += 2000 {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		stmt, err := tx.Prepare(`INSERT INTO events (user, ts_ms, product, version, session, type, body) VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rows[n:min(n+2000, lines)] {
			if _, err := stmt.Exec("jdoe", r.ts, r.product, r.version, r.session, r.typ, r.body); err != nil {
				b.Fatal(err)
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	return selfCPU() - before
}

func selfCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
