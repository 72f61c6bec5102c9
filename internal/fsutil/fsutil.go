// Package fsutil creates directories that other users must reach (the
// spool, the agent's socket) with the mode asked for, whatever the umask,
// and finds the directory that keeps a path out of other users' reach.
package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// MkdirAll creates dir and its missing parents, each with exactly perm:
// os.MkdirAll's mode passes through the umask, so under umask 077 a new
// shared parent would be 0700 and lock every other user out below it.
func MkdirAll(dir string, perm fs.FileMode) error {
	dir = filepath.Clean(dir)
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: errors.New("not a directory")}
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := MkdirAll(parent, perm); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, perm); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return os.Chmod(dir, perm)
}

// Unreachable returns the nearest directory above path (path's own
// directory first) that other users cannot traverse, or "" when every
// one of them can.
func Unreachable(path string) string {
	for dir := filepath.Dir(filepath.Clean(path)); ; dir = filepath.Dir(dir) {
		if st, err := os.Stat(dir); err == nil && st.Mode().Perm()&0o001 == 0 {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}
