package logfile_test

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"teamlens/agent/internal/logfile"
)

// TestRotatesBySize: writes past the size limit move the log to .1, .2 ...,
// keep only the newest old files, and lose no line that fits.
func TestRotatesBySize(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "agent.log")
	l, err := logfile.Open(path, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	line := func(i int) []byte { return []byte(strings.Repeat(string(rune('a'+i)), 39) + "\n") } // 40 bytes
	for i := range 7 {
		if _, err := l.Write(line(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Two lines per file: [a b] [c d] [e f] [g]; keep 2 old files.
	want := map[string]string{
		"agent.log":   string(line(6)),
		"agent.log.1": string(line(4)) + string(line(5)),
		"agent.log.2": string(line(2)) + string(line(3)),
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(want) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("files %v, want %d", names, len(want))
	}
	for name, content := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != content {
			t.Errorf("%s = %q, want %q", name, b, content)
		}
	}
}

// TestReopenAppends: a restarted agent appends to its log and counts
// what is there toward the limit.
func TestReopenAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.log")
	if err := os.WriteFile(path, []byte(strings.Repeat("x", 90)), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := logfile.Open(path, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Write([]byte("0123456789ab\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path + ".1"); len(b) != 90 {
		t.Errorf("the old content was not rotated out: .1 has %d bytes", len(b))
	}
	if b, _ := os.ReadFile(path); string(b) != "0123456789ab\n" {
		t.Errorf("log = %q", b)
	}
}

// TestErrorsToSink: error records reach the event log sink with their
// attributes, other levels do not, and a failing sink loses nothing in the
// file.
func TestErrorsToSink(t *testing.T) {
	var file bytes.Buffer
	var events []string
	sinkErr := error(nil)
	h := logfile.ErrorsTo(slog.NewTextHandler(&file, nil), func(msg string) error {
		events = append(events, msg)
		return sinkErr
	})
	log := slog.New(h).With("component", "upload")
	log.Info("uploaded", "days", 3)
	log.Error("upload failed", "err", "connection refused")
	sinkErr = errors.New("event log full")
	log.WithGroup("q").Error("queue stuck", "days", 2)

	if len(events) != 2 {
		t.Fatalf("event log got %q, want the two errors", events)
	}
	if events[0] != "upload failed component=upload err=connection refused" {
		t.Errorf("event %q", events[0])
	}
	if events[1] != "queue stuck component=upload q.days=2" {
		t.Errorf("event %q", events[1])
	}
	for _, want := range []string{"msg=uploaded", "msg=\"upload failed\"", "msg=\"queue stuck\""} {
		if !strings.Contains(file.String(), want) {
			t.Errorf("the file lacks %s:\n%s", want, file.String())
		}
	}
}
