//go:build !windows

package fsutil_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"teamlens/internal/fsutil"
)

func TestMkdirAllIgnoresTheUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	base := t.TempDir()
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "run", "teamlens")
	if err := fsutil.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Join(base, "run"), dir} {
		st, err := os.Stat(d)
		if err != nil || st.Mode().Perm() != 0o755 {
			t.Errorf("%s: %v %v, want 0755", d, st.Mode(), err)
		}
	}
	if got := fsutil.Unreachable(filepath.Join(dir, "agent.sock")); got != "" && got != filepath.Dir(base) && got != "/tmp" {
		t.Errorf("Unreachable = %q below a 0755 chain", got)
	}
	locked := filepath.Join(base, "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	if got := fsutil.Unreachable(filepath.Join(locked, "spool", "x")); got != filepath.Join(locked, "spool") && got != locked {
		t.Errorf("Unreachable = %q, want %s", got, locked)
	}
}
