// Package spool reads the journal files products append to the spool
// directory, exactly once: each file's read position is committed with the
// events read from it.
package spool

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"teamlens/agent/internal/fileid"
	"teamlens/agent/internal/store"
	"teamlens/shared/journal"
)

// Reader tails the spool directory. The zero values of the optional fields
// are production.
type Reader struct {
	Dir       string
	Store     *store.Store
	Sanitizer journal.Sanitizer
	Log       *slog.Logger

	// IdleRemove removes a fully read file not written for this long
	// (default 24h); a file whose session ended goes after EndedGrace
	// (default 1m).
	IdleRemove time.Duration
	EndedGrace time.Duration
	// Rescan is the period of the full directory scan that backs up the
	// file-system notifications (default 30s).
	Rescan time.Duration
	// BatchLines bounds the lines committed in one transaction (default 2000).
	BatchLines int
	Now        func() time.Time

	files fileid.Resolver
}

func (r *Reader) defaults() {
	if r.IdleRemove <= 0 {
		r.IdleRemove = 24 * time.Hour
	}
	if r.EndedGrace <= 0 {
		r.EndedGrace = time.Minute
	}
	if r.Rescan <= 0 {
		r.Rescan = 30 * time.Second
	}
	if r.BatchLines <= 0 {
		r.BatchLines = 2000
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
}

// Run reads the spool until ctx ends: every file at start (including those
// written while the agent was down), then each file as it changes.
func (r *Reader) Run(ctx context.Context) error {
	r.defaults()
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer w.Close()
	if err := w.Add(r.Dir); err != nil {
		return fmt.Errorf("spool: watch %s: %w", r.Dir, err)
	}
	// Work that failed (disk full, database locked) is retried soon;
	// nothing of it was committed, so nothing is lost or doubled.
	const retry = 5 * time.Second
	rescanSoon := r.ScanAll(ctx)
	rescan := time.NewTicker(r.Rescan)
	defer rescan.Stop()
	dirty := map[string]bool{}
	var settle <-chan time.Time
	if rescanSoon {
		settle = time.After(retry)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if (ev.Has(fsnotify.Create) || ev.Has(fsnotify.Write)) && r.isJournal(ev.Name) {
				dirty[ev.Name] = true
				if settle == nil {
					// Let a burst of appends settle into one read.
					settle = time.After(50 * time.Millisecond)
				}
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			// An overflow loses notifications, not data: rescan at once.
			r.Log.Warn("spool watch error; rescanning", "err", err)
			rescanSoon = r.ScanAll(ctx)
		case <-settle:
			settle = nil
			if rescanSoon {
				rescanSoon = r.ScanAll(ctx)
			}
			for path := range dirty {
				if r.ReadFile(ctx, path) == nil {
					delete(dirty, path)
				}
			}
		case <-rescan.C:
			rescanSoon = r.ScanAll(ctx)
		}
		if settle == nil && (rescanSoon || len(dirty) > 0) {
			settle = time.After(retry)
		}
	}
}

func (r *Reader) isJournal(path string) bool {
	return filepath.Dir(path) == filepath.Clean(r.Dir) && strings.HasSuffix(path, ".jsonl")
}

// ScanAll reads every journal file of the spool and forgets the positions
// of files that are gone. It reports whether any file failed.
func (r *Reader) ScanAll(ctx context.Context) (failed bool) {
	r.defaults()
	entries, err := os.ReadDir(r.Dir)
	if err != nil {
		r.Log.Error("spool scan", "dir", r.Dir, "err", err)
		return true
	}
	present := map[string]bool{}
	for _, e := range entries {
		path := filepath.Join(r.Dir, e.Name())
		if !e.Type().IsRegular() || !r.isJournal(path) {
			continue
		}
		present[path] = true
		if err := r.ReadFile(ctx, path); err != nil {
			failed = true
		}
	}
	known, err := r.Store.Files(ctx)
	if err != nil {
		r.Log.Error("spool positions", "err", err)
		return true
	}
	for _, path := range known {
		if !present[path] {
			if err := r.Store.RemoveFile(ctx, path); err != nil {
				failed = true
			}
		}
	}
	return failed
}

// ReadFile reads the complete lines of one journal file appended since its
// stored position, and removes the file once it is read and finished.
func (r *Reader) ReadFile(ctx context.Context, path string) error {
	r.defaults()
	err := r.readFile(ctx, path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.Log.Error("spool read", "file", path, "err", err)
		return err
	}
	return nil
}

func (r *Reader) readFile(ctx context.Context, path string) error {
	f, info, err := r.files.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, found, err := r.Store.File(ctx, path)
	if err != nil {
		return err
	}
	if found && (st.Dev != info.Dev || st.Ino != info.Ino || info.Size < st.Offset) {
		r.Log.Warn("spool file replaced or truncated; reading it from the start", "file", path)
		found = false
	}
	if !found {
		st = store.FileState{Path: path}
	}
	st.Dev, st.Ino, st.User = info.Dev, info.Ino, info.User
	if st.Offset == info.Size {
		return r.maybeRemove(ctx, path, st, info)
	}
	if _, err := f.Seek(st.Offset, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(f, journal.MaxLine+2)
	b := store.Batch{User: st.User, Rejects: map[string]int{}}
	lines := 0
	start := st.Offset
	flush := func() error {
		if st.Offset == start {
			return nil
		}
		start = st.Offset
		st.Updated = r.Now()
		b.File = &st
		if _, err := r.Store.Commit(ctx, b); err != nil {
			return err
		}
		b = store.Batch{User: st.User, Rejects: map[string]int{}}
		lines = 0
		return nil
	}
	for {
		chunk, err := br.ReadSlice('\n')
		complete := err == nil
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			// Longer than any acceptable line: skip to its end.
			st.Offset += int64(len(chunk))
			st.Skipping = true
			continue
		case errors.Is(err, io.EOF):
			// A partial last line waits for its newline (unless it is
			// already known to be too long, then its bytes are skipped).
			if st.Skipping {
				st.Offset += int64(len(chunk))
			}
			return flush()
		case err != nil:
			return err
		}
		if !complete {
			continue
		}
		st.Offset += int64(len(chunk))
		st.Line++
		lines++
		if st.Skipping {
			st.Skipping = false
			r.rejected(b, path, st.Line, &journal.RejectError{Reason: journal.ReasonTooLong})
		} else if line := chunk[:len(chunk)-1]; len(strings.TrimSpace(string(line))) > 0 {
			e, err := r.Sanitizer.Sanitize(line)
			if err != nil {
				r.rejected(b, path, st.Line, err)
			} else {
				b.Events = append(b.Events, e)
				if e.Type == journal.SessionEnd {
					st.Ended = true
				}
			}
		}
		if lines >= r.BatchLines {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// rejected counts a rejected line and logs its reason and place, never its
// content.
func (r *Reader) rejected(b store.Batch, path string, line int64, err error) {
	reason := journal.ReasonInvalidJSON
	var rej *journal.RejectError
	if errors.As(err, &rej) {
		reason = rej.Reason
	}
	b.Rejects[reason]++
	r.Log.Warn("journal line rejected", "file", path, "line", line, "reason", err.Error())
}

// maybeRemove deletes a fully read file whose session ended or that has
// been idle long enough; the position goes after the file, never before.
func (r *Reader) maybeRemove(ctx context.Context, path string, st store.FileState, info fileid.Info) error {
	idle := r.Now().Sub(info.ModTime)
	if !(st.Ended && idle >= r.EndedGrace) && idle < r.IdleRemove {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	r.Log.Debug("spool file read and finished; removed", "file", path)
	return r.Store.RemoveFile(ctx, path)
}
