package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"teamlens/internal/testenv"
)

// TestWindowsResourcesCurrent regenerates rsrc_windows_amd64.syso from
// the icon and compares it with the committed file: an icon changed
// without "go generate ./viewer" fails here.
func TestWindowsResourcesCurrent(t *testing.T) {
	if _, err := exec.LookPath("x86_64-w64-mingw32-windres"); err != nil {
		testenv.Missing(t, "x86_64-w64-mingw32-windres is not installed (Debian's binutils-mingw-w64-x86-64)")
	}
	fresh := filepath.Join(t.TempDir(), "rsrc.syso")
	if out, err := exec.Command("go", "run", "./internal/winres", fresh).CombinedOutput(); err != nil {
		t.Fatalf("winres: %v\n%s", err, out)
	}
	want, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("rsrc_windows_amd64.syso")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("rsrc_windows_amd64.syso is not what the icon gives: run go generate ./viewer")
	}
}
