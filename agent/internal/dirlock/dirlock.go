// Package dirlock holds an exclusive lock on a data directory, so that
// only one agent process at a time reads the spool into it: two would
// store every line twice and overwrite each other's read positions.
package dirlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileName is the lock file's name in the data directory.
const FileName = "agent.lock"

// Lock is a held lock; the OS releases it when the process ends, however
// it ends, so a killed agent leaves nothing that blocks the next one.
type Lock struct {
	f *os.File
}

// HeldError says which process holds the lock.
type HeldError struct {
	Dir string
	// PID is the holder's process ID, 0 when it could not be read.
	PID int
	// Command is the holder's command line where the OS tells it.
	Command string
}

func (e *HeldError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = "process " + strconv.Itoa(e.PID)
		if e.Command != "" {
			who += " (" + e.Command + ")"
		}
	}
	return fmt.Sprintf("data directory %s is in use by %s: only one agent may run on a data directory", e.Dir, who)
}

// Acquire takes the lock of dir, creating the directory when needed, and
// writes this process's ID into the lock file for the next one to name.
func Acquire(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	f, err := openFile(path)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if held {
		e := &HeldError{Dir: dir}
		if b, err := readHolder(f); err == nil {
			e.PID, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		f.Close()
		if e.PID > 0 {
			e.Command = commandLine(e.PID)
		}
		return nil, e
	}
	// The process ID only helps the next one name the holder: a full disk
	// that keeps it from being written must not keep the agent from running.
	_ = writePID(f)
	return &Lock{f: f}, nil
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

func readHolder(f *os.File) ([]byte, error) {
	b := make([]byte, 32)
	n, err := f.ReadAt(b, 0)
	if n > 0 {
		return b[:n], nil
	}
	if err == nil {
		err = errors.New("empty lock file")
	}
	return nil, err
}

// Release gives the lock up. The file stays: removing it would let a
// third process lock a new file while a second still waits on the old one.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
