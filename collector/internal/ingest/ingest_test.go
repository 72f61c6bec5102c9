package ingest_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"teamlens/collector/internal/ingest"
)

func TestOneWriterAtATime(t *testing.T) {
	q := ingest.New(ingest.Config{MaxBatches: 1000, MaxDays: 1 << 30})
	var running, most, done atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := q.Write(context.Background(), 10, func(context.Context) error {
				n := running.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				running.Add(-1)
				done.Add(1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if most.Load() != 1 || done.Load() != 50 {
		t.Fatalf("%d writes ran, at most %d at once; want 50, 1", done.Load(), most.Load())
	}
	if s := q.Stats(); s.Batches != 0 || s.Days != 0 || s.Written != 500 {
		t.Fatalf("stats after the writes: %+v", s)
	}
}

// hold starts a write of days that blocks until release is closed, and
// waits until it runs.
func hold(t *testing.T, q *ingest.Queue, days int, release chan struct{}) chan error {
	t.Helper()
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- q.Write(context.Background(), days, func(context.Context) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	return done
}

func TestFullQueueRefusesAtOnce(t *testing.T) {
	q := ingest.New(ingest.Config{MaxBatches: 2, MaxDays: 100})
	release := make(chan struct{})
	first := hold(t, q, 60, release)

	wrote := false
	write := func(context.Context) error { wrote = true; return nil }
	if err := q.Write(context.Background(), 50, write); !errors.Is(err, ingest.ErrBusy) {
		t.Fatalf("60+50 days queued over a limit of 100: %v, want ErrBusy", err)
	}
	second := make(chan error, 1)
	go func() { second <- q.Write(context.Background(), 40, write) }()
	for q.Stats().Batches != 2 {
		runtime.Gosched() // the second write is queuing behind the first
	}
	if err := q.Write(context.Background(), 0, write); !errors.Is(err, ingest.ErrBusy) {
		t.Fatalf("a third batch over a limit of 2 batches: %v, want ErrBusy", err)
	}
	if q.RetryAfter() < 1 {
		t.Fatalf("RetryAfter %d, want at least 1", q.RetryAfter())
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil || !wrote {
		t.Fatalf("queued write: %v, ran %v", err, wrote)
	}
}

func TestABatchOverTheDayLimitGoesAlone(t *testing.T) {
	q := ingest.New(ingest.Config{MaxDays: 10})
	if err := q.Write(context.Background(), 1000, func(context.Context) error { return nil }); err != nil {
		t.Fatalf("a lone batch over MaxDays: %v", err)
	}
}

func TestGivingUpInTheQueueWritesNothing(t *testing.T) {
	q := ingest.New(ingest.Config{})
	release := make(chan struct{})
	first := hold(t, q, 1, release)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := q.Write(ctx, 1, func(context.Context) error {
		t.Error("a canceled write ran")
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled while waiting: %v", err)
	}
	close(release)
	<-first
	if s := q.Stats(); s.Batches != 0 || s.Days != 0 {
		t.Fatalf("queue after a canceled write: %+v", s)
	}
}

func TestWriteErrorIsReturned(t *testing.T) {
	q := ingest.New(ingest.Config{})
	boom := errors.New("boom")
	if err := q.Write(context.Background(), 3, func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if q.Stats().Written != 0 {
		t.Fatal("a failed write counted as written")
	}
}
