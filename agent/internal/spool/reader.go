// Package spool reads the journal files products append to the spool
// directory, exactly once: each file's read position is committed with the
// events read from it. Work is shared between the files' owners round-robin,
// a batch per owner per round, so one user's flood of files cannot keep
// another user's line waiting.
package spool

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"teamlens/agent/internal/fileid"
	"teamlens/agent/internal/ingest"
	"teamlens/shared/journal"
)

// Store is the repository the reader commits to and keeps positions in.
type Store interface {
	ingest.Repo
	File(ctx context.Context, path string) (ingest.Position, bool, error)
	Files(ctx context.Context) ([]ingest.Position, error)
	RemoveFile(ctx context.Context, path string) error
}

// Reader tails the spool directory. The zero values of the optional fields
// are production.
type Reader struct {
	Dir       string
	Store     Store
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
	// BatchLines bounds the lines of one owner committed in one
	// transaction, and so each owner's turn of a round (default 2000).
	BatchLines int
	// MaxFileBytes sets aside a file larger than this unread (default
	// 256 MiB): a journal is a file per session, and a huge or sparse file
	// without newlines would otherwise be read through for nothing.
	MaxFileBytes int64
	Now          func() time.Time

	files   fileid.Resolver
	work    queue
	seen    map[string]entry // what each entry looked like when last done with
	aside   map[string]entry // entries that could not be read, until they change
	started bool
	br      *bufio.Reader   // one line buffer for every file read
	events  []journal.Event // one events buffer for every batch
}

func (r *Reader) defaults() {
	if r.started {
		return
	}
	r.started = true
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
	if r.MaxFileBytes <= 0 {
		r.MaxFileBytes = 256 << 20
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	r.seen, r.aside = map[string]entry{}, map[string]entry{}
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
	r.rescan(ctx)
	rescan := time.NewTicker(r.Rescan)
	defer rescan.Stop()
	var retryAt <-chan time.Time
	for {
		if r.work.len() > 0 {
			// Take in what the watcher has before each round, so a new
			// owner joins the next round.
			if !r.drainEvents(ctx, w) {
				return nil
			}
			if r.round(ctx) && retryAt == nil {
				retryAt = time.After(retry)
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			r.notified(ev)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			// An overflow loses notifications, not data: rescan at once.
			r.Log.Warn("spool watch error; rescanning", "err", err)
			r.rescan(ctx)
		case <-retryAt:
			retryAt = nil
			r.work.retry()
		case <-rescan.C:
			r.rescan(ctx)
		}
	}
}

// drainEvents takes every notification already waiting; false when the
// reader must stop.
func (r *Reader) drainEvents(ctx context.Context, w *fsnotify.Watcher) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case ev, ok := <-w.Events:
			if !ok {
				return false
			}
			r.notified(ev)
		case err, ok := <-w.Errors:
			if !ok {
				return false
			}
			r.Log.Warn("spool watch error; rescanning", "err", err)
			r.rescan(ctx)
		default:
			return true
		}
	}
}

func (r *Reader) notified(ev fsnotify.Event) {
	if (ev.Has(fsnotify.Create) || ev.Has(fsnotify.Write)) && r.isJournal(ev.Name) {
		if e, ok := lstat(ev.Name); ok {
			r.consider(ev.Name, e, true)
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
	failed = r.rescan(ctx)
	for r.work.len() > 0 {
		if r.round(ctx) {
			failed = true
			r.work.dropRetries()
		}
	}
	return failed
}

// rescan queues every entry of the spool that changed since it was last
// read or is due for removal, and forgets the positions of files that are
// gone. It reports whether the scan failed.
func (r *Reader) rescan(ctx context.Context) (failed bool) {
	entries, err := os.ReadDir(r.Dir)
	if err != nil {
		r.Log.Error("spool scan", "dir", r.Dir, "err", err)
		return true
	}
	present := make(map[string]bool, len(entries))
	for _, de := range entries {
		path := filepath.Join(r.Dir, de.Name())
		if !r.isJournal(path) {
			continue
		}
		present[path] = true
		if e, ok := lstat(path); ok {
			r.consider(path, e, false)
		}
	}
	for path := range r.seen {
		if !present[path] {
			delete(r.seen, path)
		}
	}
	for path := range r.aside {
		if !present[path] {
			delete(r.aside, path)
		}
	}
	known, err := r.Store.Files(ctx)
	if err != nil {
		r.Log.Error("spool positions", "err", err)
		return true
	}
	for _, p := range known {
		if !present[p.Path] && !ingest.Hashed(p.Path) {
			if err := r.Store.RemoveFile(ctx, p.Path); err != nil {
				failed = true
			}
		}
	}
	return failed
}

// consider queues an entry unless it is known unreadable or was read to
// its end as it is now and is not yet due for removal. Only regular files
// are read; a notification for anything else sets it aside at once.
func (r *Reader) consider(path string, e entry, notified bool) {
	if a, ok := r.aside[path]; ok && a.same(e) {
		return
	}
	delete(r.aside, path)
	if !e.regular {
		if notified {
			r.setAside(path, e, "not a regular file")
		}
		return
	}
	if s, ok := r.seen[path]; ok && s.same(e) && !r.removable(s) {
		return
	}
	r.work.push(path, e.uid)
}

// removable says a fully read file is finished: its session ended a while
// ago, or nothing was written to it for long.
func (r *Reader) removable(e entry) bool {
	idle := r.Now().Sub(e.mtime)
	return (e.ended && idle >= r.EndedGrace) || idle >= r.IdleRemove
}

// setAside stops reading an entry until it changes.
func (r *Reader) setAside(path string, e entry, why string) {
	r.aside[path] = e
	r.Log.Warn("spool entry set aside until it changes", "file", path, "reason", why)
}
