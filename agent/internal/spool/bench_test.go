package spool_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"teamlens/agent/internal/spool"
	"teamlens/agent/internal/store"
	"teamlens/shared/journal"
)

const benchLines = 20000

func benchJournal(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for i := 0; i < benchLines; i++ {
		fmt.Fprintf(&buf, `{"v":1,"ts":%q,"product":"AutoCAD","version":"2027.1","session":"s1","type":"command","name":"_line","outcome":"completed"}`+"\n",
			t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
	}
	return buf.Bytes()
}

func benchStore(b *testing.B) (*store.Store, string) {
	b.Helper()
	dir := b.TempDir()
	st, err := store.Open(ctx, dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.SetConsent(ctx, currentUser(b), true); err != nil {
		b.Fatal(err)
	}
	return st, filepath.Join(dir, store.FileName)
}

// BenchmarkIngest measures a journal line's way to a committed row:
// read, sanitize, consent gate, insert, roll-up, position, commit.
func BenchmarkIngest(b *testing.B) {
	data := benchJournal(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, _ := benchStore(b)
		r := &spool.Reader{Dir: b.TempDir(), Store: st}
		if err := os.WriteFile(filepath.Join(r.Dir, "a.jsonl"), data, 0o600); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if r.ScanAll(ctx) {
			b.Fatal("scan failed")
		}
	}
	b.ReportMetric(float64(benchLines*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRawInsert inserts the same rows into the same schema with a
// prepared statement in transactions of the same size: the ceiling for
// BenchmarkIngest.
func BenchmarkRawInsert(b *testing.B) {
	e, err := journal.Sanitizer{}.Sanitize(bytes.SplitN(benchJournal(b), []byte("\n"), 2)[0])
	if err != nil {
		b.Fatal(err)
	}
	body, _ := e.MarshalJSON()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		_, path := benchStore(b)
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for n := 0; n < benchLines; n += 2000 {
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			stmt, err := tx.Prepare(`INSERT INTO events (user, ts_ms, product, version, session, type, body) VALUES (?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				b.Fatal(err)
			}
			for k := n; k < n+2000; k++ {
				if _, err := stmt.Exec("jdoe", int64(k), "AutoCAD", "2027.1", "s1", "command", body); err != nil {
					b.Fatal(err)
				}
			}
			stmt.Close()
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(benchLines*b.N)/b.Elapsed().Seconds(), "events/s")
}
