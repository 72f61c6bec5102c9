//go:build unix

package dirlock_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"teamlens/agent/internal/dirlock"
)

// Within one process a second open file description conflicts as a second
// process would: the lock names this process, and is free after Release.
func TestSecondAcquireNamesTheHolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	l, err := dirlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = dirlock.Acquire(dir)
	var held *dirlock.HeldError
	if !errors.As(err, &held) || held.PID != os.Getpid() {
		t.Fatalf("second acquire: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l, err = dirlock.Acquire(dir)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l.Release()
}

func TestLockFileIsNotALink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	if err := os.Symlink(target, filepath.Join(dir, dirlock.FileName)); err != nil {
		t.Fatal(err)
	}
	if _, err := dirlock.Acquire(dir); err == nil {
		t.Fatal("acquired a lock through a symbolic link")
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatal("the link's target was created")
	}
}
