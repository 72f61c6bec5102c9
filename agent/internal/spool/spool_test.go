package spool_test

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/agent/internal/spool"
	"teamlens/agent/internal/store"
	"teamlens/internal/testenv"
	"teamlens/shared/journal"
	"teamlens/shared/localclient"
)

var ctx = context.Background()

func setup(t *testing.T) (*spool.Reader, *store.Store) {
	t.Helper()
	st, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &spool.Reader{Dir: t.TempDir(), Store: st}, st
}

func cmdLine(i int) string {
	return fmt.Sprintf(`{"v":1,"ts":"2026-11-20T09:%02d:%02dZ","product":"AutoCAD","version":"2027.1","session":"s1","type":"session.start"}`+"\n", i/60%60, i%60)
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func status(t *testing.T, st *store.Store) localclient.Status {
	t.Helper()
	s, err := st.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPartialLineWaitsForItsNewline(t *testing.T) {
	r, st := setup(t)
	path := filepath.Join(r.Dir, "a.jsonl")
	full := cmdLine(1)
	appendTo(t, path, cmdLine(0)+full[:30])
	r.ScanAll(ctx)
	if n := status(t, st).Counts.Events; n != 1 {
		t.Fatalf("%d events after a partial line, want 1", n)
	}
	appendTo(t, path, full[30:])
	r.ScanAll(ctx)
	r.ScanAll(ctx)
	if s := status(t, st); s.Counts.Events != 2 || s.Counts.Rejected != 0 {
		t.Fatalf("events %d rejected %d, want 2, 0", s.Counts.Events, s.Counts.Rejected)
	}
}

func TestBadLinesAreCountedAndSkipped(t *testing.T) {
	r, st := setup(t)
	path := filepath.Join(r.Dir, "a.jsonl")
	huge := `{"pad":"` + strings.Repeat("x", journal.MaxLine+10) + `"}` + "\n"
	appendTo(t, path, cmdLine(0)+"not json\n"+huge+cmdLine(1)+`{"v":1,"type":"command","name":"C:\\x"}`+"\n"+cmdLine(2))
	r.ScanAll(ctx)
	s := status(t, st)
	if s.Counts.Events != 3 || s.Counts.Rejected != 3 {
		t.Fatalf("events %d rejected %d, want 3, 3 (%v)", s.Counts.Events, s.Counts.Rejected, s.Rejects)
	}
	if s.Rejects[journal.ReasonTooLong] != 1 || s.Rejects[journal.ReasonInvalidJSON] != 1 {
		t.Errorf("rejects %v", s.Rejects)
	}
}

func TestOverlongPartialLineIsSkippedAcrossReads(t *testing.T) {
	r, st := setup(t)
	path := filepath.Join(r.Dir, "a.jsonl")
	appendTo(t, path, cmdLine(0)+strings.Repeat("y", journal.MaxLine+100))
	r.ScanAll(ctx)
	appendTo(t, path, strings.Repeat("y", 1000)+"\n"+cmdLine(1))
	r.ScanAll(ctx)
	s := status(t, st)
	if s.Counts.Events != 2 || s.Rejects[journal.ReasonTooLong] != 1 {
		t.Fatalf("events %d rejects %v", s.Counts.Events, s.Rejects)
	}
}

func TestTruncatedOrReplacedFileIsReadFromTheStart(t *testing.T) {
	r, st := setup(t)
	path := filepath.Join(r.Dir, "a.jsonl")
	appendTo(t, path, cmdLine(0)+cmdLine(1)+cmdLine(2))
	r.ScanAll(ctx)
	// Truncated and rewritten shorter.
	if err := os.WriteFile(path, []byte(cmdLine(3)), 0o600); err != nil {
		t.Fatal(err)
	}
	r.ScanAll(ctx)
	if n := status(t, st).Counts.Events; n != 4 {
		t.Fatalf("after truncation: %d events, want 4", n)
	}
	// Replaced by a new file (new inode) of the same name and a larger size.
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(cmdLine(4)+cmdLine(5)+cmdLine(6)+cmdLine(7)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	r.ScanAll(ctx)
	if n := status(t, st).Counts.Events; n != 8 {
		t.Fatalf("after replacement: %d events, want 8", n)
	}
}

func TestFinishedFilesAreRemoved(t *testing.T) {
	r, st := setup(t)
	now := time.Now()
	r.Now = func() time.Time { return now }
	ended := filepath.Join(r.Dir, "ended.jsonl")
	idle := filepath.Join(r.Dir, "idle.jsonl")
	open := filepath.Join(r.Dir, "open.jsonl")
	appendTo(t, ended, cmdLine(0)+strings.Replace(cmdLine(1), "session.start", "session.end", 1))
	appendTo(t, idle, cmdLine(2))
	appendTo(t, open, cmdLine(3))
	old := now.Add(-25 * time.Hour)
	if err := os.Chtimes(idle, old, old); err != nil {
		t.Fatal(err)
	}
	r.ScanAll(ctx) // reads everything
	now = now.Add(2 * time.Minute)
	r.ScanAll(ctx) // removes what is read and finished
	for path, want := range map[string]bool{ended: false, idle: false, open: true} {
		if _, err := os.Stat(path); (err == nil) != want {
			t.Errorf("%s exists=%v, want %v", filepath.Base(path), err == nil, want)
		}
	}
	if s := status(t, st); s.Counts.Events != 4 || s.Counts.Files != 1 {
		t.Fatalf("events %d files %d, want 4, 1", s.Counts.Events, s.Counts.Files)
	}
}

func TestRunFollowsNewFilesAndAppends(t *testing.T) {
	r, st := setup(t)
	// Written while the agent is "down".
	appendTo(t, filepath.Join(r.Dir, "before.jsonl"), cmdLine(0))
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for i := 1; i <= 20; i++ {
		appendTo(t, filepath.Join(r.Dir, fmt.Sprintf("f%d.jsonl", i%5)), cmdLine(i))
	}
	testenv.Eventually(t, 10*time.Second, "21 events read", func() error {
		if n := status(t, st).Counts.Events; n != 21 {
			return fmt.Errorf("%d events read", n)
		}
		return nil
	})
}

func TestSymlinksAreNotFollowed(t *testing.T) {
	r, st := setup(t)
	secret := filepath.Join(t.TempDir(), "secret.jsonl")
	appendTo(t, secret, cmdLine(0))
	if err := os.Symlink(secret, filepath.Join(r.Dir, "link.jsonl")); err != nil {
		t.Fatal(err)
	}
	r.ScanAll(ctx)
	if n := status(t, st).Counts.Events; n != 0 {
		t.Fatalf("read %d events through a symbolic link", n)
	}
}

func currentUser(tb testing.TB) string {
	tb.Helper()
	u, err := user.Current()
	if err != nil {
		tb.Fatal(err)
	}
	return u.Username
}

func TestHugeFileIsSetAsideUnread(t *testing.T) {
	r, st := setup(t)
	r.MaxFileBytes = 4 << 10
	huge := filepath.Join(r.Dir, "huge.jsonl")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 1 GiB of nothing, no newline.
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	appendTo(t, filepath.Join(r.Dir, "ok.jsonl"), cmdLine(0))
	r.ScanAll(ctx)
	r.ScanAll(ctx)
	if s := status(t, st); s.Counts.Events != 1 || s.Counts.Files != 1 {
		t.Fatalf("events %d files %d, want 1, 1", s.Counts.Events, s.Counts.Files)
	}
}
