package procscan_test

import (
	"context"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"testing"
	"time"

	"teamlens/agent/internal/procscan"
	"teamlens/agent/internal/store"
	"teamlens/internal/testenv"
	"teamlens/shared/catalog"
)

// TestProductProcessIsASession runs a real process named like AutoCAD from
// an "AutoCAD 2027" folder and scans it starting, running and ending.
func TestProductProcessIsASession(t *testing.T) {
	ctx := context.Background()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		testenv.Missing(t, "no sleep binary")
	}
	dir := filepath.Join(t.TempDir(), "AutoCAD 2027")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	acad := filepath.Join(dir, "acad")
	b, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(acad, b, 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	me, _ := user.Current()
	if err := st.SetConsent(ctx, me.Username, true); err != nil {
		t.Fatal(err)
	}
	s := &procscan.Scanner{Catalog: catalog.Builtin(), Store: st}
	if err := s.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	proc := exec.Command(acad, "30")
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	defer proc.Process.Kill()
	for i := 0; i < 3; i++ {
		if err := s.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	proc.Process.Kill()
	proc.Wait()
	if err := s.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	exp, err := st.Export(ctx, me.Username)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range exp.Events {
		types = append(types, string(e))
	}
	if len(exp.Events) != 2 {
		t.Fatalf("events %v, want a session start and end", types)
	}
	if len(exp.Days) != 1 || exp.Days[0].Product != "AutoCAD" || exp.Days[0].Version != "2027" || exp.Days[0].Sessions != 1 {
		t.Fatalf("days %+v", exp.Days)
	}
	if a := exp.Days[0].Analytics; a == nil || a.RSSMB == nil || a.CPUPct == nil {
		t.Fatalf("no performance samples: %+v", a)
	}
}

func TestVersionFromPath(t *testing.T) {
	for path, want := range map[string]string{
		`C:\Program Files\Autodesk\AutoCAD 2027\acad.exe`:  "2027",
		`C:\Program Files\Autodesk\Revit_2026.1\Revit.exe`: "2026.1",
		"/tmp/TestX12078/001/AutoCAD 2027/acad":            "2027",
		"/tmp/TestX12078/001/bin/acad":                     "unknown",
		"/opt/2025/acad":                                   "2025",
	} {
		if got := procscan.VersionFromPath(path); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}
