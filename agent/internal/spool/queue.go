package spool

import (
	"os"
	"time"
)

// entry is what a directory entry looked like: enough to tell whether it
// changed since it was last read or set aside.
type entry struct {
	dev, ino uint64
	size     int64
	mtime    time.Time
	mode     os.FileMode
	uid      uint32
	regular  bool
	ended    bool // a read file whose session ended
}

func (e entry) same(o entry) bool {
	return e.dev == o.dev && e.ino == o.ino && e.size == o.size && e.mtime.Equal(o.mtime) && e.mode == o.mode
}

// lstat describes path without following a link; false when it is gone.
func lstat(path string) (entry, bool) {
	fi, err := os.Lstat(path)
	if err != nil {
		return entry{}, false
	}
	e := entry{size: fi.Size(), mtime: fi.ModTime(), mode: fi.Mode(), regular: fi.Mode().IsRegular()}
	fileIDs(fi, &e)
	return e, true
}

// queue holds the files waiting to be read, per owner, and the order in
// which owners take their turns.
type queue struct {
	owners  []uint32
	files   map[uint32][]string
	queued  map[string]bool
	retries []queued
}

type queued struct {
	path string
	uid  uint32
}

func (q *queue) len() int { return len(q.queued) }

// push queues path at the back of its owner's files, once.
func (q *queue) push(path string, uid uint32) {
	if q.queued == nil {
		q.queued, q.files = map[string]bool{}, map[uint32][]string{}
	}
	if q.queued[path] {
		return
	}
	q.queued[path] = true
	if len(q.files[uid]) == 0 {
		q.owners = append(q.owners, uid)
	}
	q.files[uid] = append(q.files[uid], path)
}

// pop takes the owner's next file.
func (q *queue) pop(uid uint32) (string, bool) {
	fs := q.files[uid]
	if len(fs) == 0 {
		return "", false
	}
	path := fs[0]
	q.files[uid] = fs[1:]
	delete(q.queued, path)
	return path, true
}

// turns returns the owners with work and forgets those without.
func (q *queue) turns() []uint32 {
	kept := q.owners[:0]
	for _, uid := range q.owners {
		if len(q.files[uid]) > 0 {
			kept = append(kept, uid)
		} else {
			delete(q.files, uid)
		}
	}
	q.owners = kept
	return append([]uint32(nil), kept...)
}

// later keeps a file whose read failed for the next retry.
func (q *queue) later(path string, uid uint32) { q.retries = append(q.retries, queued{path, uid}) }

// retry queues the files that failed again.
func (q *queue) retry() {
	for _, f := range q.retries {
		q.push(f.path, f.uid)
	}
	q.retries = nil
}

func (q *queue) dropRetries() { q.retries = nil }
