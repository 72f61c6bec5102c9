package journal_test

import (
	"bufio"
	"bytes"
	"os"
	"testing"
	"time"

	"teamlens/shared/journal"
)

func TestWriterLinesPassTheSanitizer(t *testing.T) {
	dir := t.TempDir()
	w, err := journal.Create(dir, "Revit", "2027")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	w.Now = func() time.Time { return now }
	steps := []func() error{
		func() error { return w.Start(4200) },
		func() error { return w.Open(900*time.Millisecond, 1<<20) },
		func() error { return w.Command("_.wall", "completed") },
		func() error { return w.SettingBool("FILEDIA", false) },
		func() error { return w.SettingNumber("OSMODE", 3.5) },
		func() error { return w.Objects(map[string]int64{"WALL": 12}) },
		func() error { return w.View("3d", "orbit") },
		func() error { return w.Save(300*time.Millisecond, 1<<20) },
		w.End,
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if err := w.Command("C:\\secret.dwg", "completed"); err == nil {
		t.Error("the writer wrote a path as a command name")
	}
	f, err := os.Open(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fi, _ := f.Stat(); fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", fi.Mode().Perm())
	}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		e, err := journal.Sanitizer{}.Sanitize(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d rejected: %v", n+1, err)
		}
		if e.Session != w.Session() || e.Product != "Revit" {
			t.Errorf("line %d: session %q product %q", n+1, e.Session, e.Product)
		}
		n++
	}
	if n != len(steps) {
		t.Errorf("%d lines, want %d", n, len(steps))
	}
}

func TestCreateRefusesUnknownProduct(t *testing.T) {
	if _, err := journal.Create(t.TempDir(), "Notepad", "1"); err == nil {
		t.Fatal("created a journal for a product outside the catalog")
	}
}

// TestWriterSurvivesRemoval: the agent removes a journal idle for a day;
// the session's next line must land in a file it reads, not a removed one.
func TestWriterSurvivesRemoval(t *testing.T) {
	w, err := journal.Create(t.TempDir(), "AutoCAD", "2027.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(-1); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(w.Path()); err != nil {
		t.Fatal(err)
	}
	if err := w.Command("LINE", "completed"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(w.Path())
	if err != nil {
		t.Fatalf("the line after the removal went nowhere: %v", err)
	}
	if e, err := (journal.Sanitizer{}).Sanitize(bytes.TrimSuffix(b, []byte("\n"))); err != nil || e.Name != "LINE" {
		t.Fatalf("new file holds %q (%v)", b, err)
	}
}
