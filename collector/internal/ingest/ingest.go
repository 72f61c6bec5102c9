// Package ingest serializes the collector's upload writes: one writer at a
// time in front of the store, behind a queue bounded in batches and in days,
// so concurrent uploads take turns instead of fighting over the database's
// write lock, and an upload that finds the queue full is told to come back
// later (503) instead of timing out on a lock (500).
package ingest

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrBusy says the queue is full: the caller should answer 503 with
// Retry-After and store nothing.
var ErrBusy = errors.New("too many uploads waiting to be written")

// Defaults of Config.
const (
	DefaultMaxBatches = 64
	DefaultMaxDays    = 50_000
)

// Config bounds the queue; zero values take the defaults.
type Config struct {
	// Writers is how many batches are written at once. SQLite has one
	// write lock, so more than one only makes writers wait on it; default 1.
	Writers int
	// MaxBatches and MaxDays bound what waits (or is being written): a batch
	// that would pass either is refused, unless the queue is empty, so one
	// batch larger than MaxDays still goes through alone.
	MaxBatches int
	MaxDays    int
}

// Queue admits writes in arrival order and runs them one (or Writers) at a
// time. The writer is the goroutine of the request whose turn it is, so the
// queue needs no lifecycle of its own; a request that gives up while waiting
// leaves the queue without writing anything.
type Queue struct {
	cfg  Config
	slot chan struct{}

	mu      sync.Mutex
	batches int
	days    int
	written int64         // days written since the start, for Stats
	busy    time.Duration // time spent writing, for Stats
}

// New returns a queue.
func New(cfg Config) *Queue {
	if cfg.Writers <= 0 {
		cfg.Writers = 1
	}
	if cfg.MaxBatches <= 0 {
		cfg.MaxBatches = DefaultMaxBatches
	}
	if cfg.MaxDays <= 0 {
		cfg.MaxDays = DefaultMaxDays
	}
	return &Queue{cfg: cfg, slot: make(chan struct{}, cfg.Writers)}
}

// Write queues a write of days days and runs write when its turn comes.
// It returns ErrBusy at once when the queue is full, ctx's error when ctx
// ends before the turn came (nothing was written), or write's error.
func (q *Queue) Write(ctx context.Context, days int, write func(context.Context) error) error {
	if !q.admit(days) {
		return ErrBusy
	}
	defer q.leave(days)
	select {
	case q.slot <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-q.slot }()
	start := time.Now()
	err := write(ctx)
	q.mu.Lock()
	q.busy += time.Since(start)
	if err == nil {
		q.written += int64(days)
	}
	q.mu.Unlock()
	return err
}

func (q *Queue) admit(days int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.batches > 0 && (q.batches+1 > q.cfg.MaxBatches || q.days+days > q.cfg.MaxDays) {
		return false
	}
	q.batches++
	q.days += days
	return true
}

func (q *Queue) leave(days int) {
	q.mu.Lock()
	q.batches--
	q.days -= days
	q.mu.Unlock()
}

// Stats is a reading of the queue.
type Stats struct {
	Batches, Days int           // waiting or being written now
	Written       int64         // days written since start
	Busy          time.Duration // total time spent writing
}

// Stats returns the queue's current state.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return Stats{Batches: q.batches, Days: q.days, Written: q.written, Busy: q.busy}
}

// RetryAfter is how long a refused client should wait, in whole seconds:
// the time the days queued now take to write at the rate measured so far,
// at least one second and at most a minute.
func (q *Queue) RetryAfter() int {
	s := q.Stats()
	if s.Written == 0 || s.Busy <= 0 {
		return 1
	}
	perDay := s.Busy.Seconds() / float64(s.Written)
	return min(60, max(1, int(float64(s.Days)*perDay+0.999)))
}
