package daily_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"teamlens/internal/testenv"
	"testing"
	"time"

	"teamlens/collector/internal/daily"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/catalog"
)

func TestDue(t *testing.T) {
	tests := []struct {
		now  string
		hour int
		want string
	}{
		{"2026-11-27T01:59:00Z", 2, testenv.Date("2026-11-25")},
		{"2026-11-27T02:00:00Z", 2, testenv.Date("2026-11-26")},
		{"2026-11-27T00:00:00Z", 0, testenv.Date("2026-11-26")},
		{"2026-11-27T22:59:00Z", 23, testenv.Date("2026-11-25")},
		{"2026-11-27T23:00:00Z", 23, testenv.Date("2026-11-26")},
		{"2026-01-01T05:00:00Z", 2, testenv.Date("2025-12-31")},
	}
	for _, tt := range tests {
		now, _ := time.Parse(time.RFC3339, testenv.Dates(tt.now))
		if got := daily.Due(now, tt.hour); got != tt.want {
			t.Errorf("Due(%s, %d) = %s, want %s", tt.now, tt.hour, got, tt.want)
		}
	}
}

func seed(t *testing.T, st *store.Store) {
	t.Helper()
	f, err := license.Parse("teams", strings.NewReader("team,name,plan,user_management\nT1,One,premium,named\n"), catalog.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Import(context.Background(), f); err != nil {
		t.Fatal(err)
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t, _ = time.Parse(time.RFC3339, testenv.Dates(s))
}
func at(s string) func() time.Time { c := &clock{}; c.set(s); return c.now }

func TestTickCatchesUp(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, eng.DSN(t))
			seed(t, st)
			c := &clock{}
			job := &daily.Job{Store: st, Hour: 2, Now: c.now, MaxCatchUp: 5}
			step := func(now string, want ...string) {
				t.Helper()
				c.set(now)
				got, err := job.Tick(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("at %s computed %v, want %v", now, got, want)
				}
				for _, d := range want {
					if _, err := st.Snapshot(ctx, "T1", d); err != nil {
						t.Fatalf("snapshot %s: %v", d, err)
					}
				}
			}
			step("2026-11-27T01:00:00Z", testenv.Date("2026-11-25")) // fresh: only the latest due day
			step("2026-11-27T01:30:00Z")
			step("2026-11-27T02:00:00Z", testenv.Date("2026-11-26"))
			step("2026-11-30T03:00:00Z", testenv.Date("2026-11-27"), testenv.Date("2026-11-28"), testenv.Date("2026-11-29")) // after downtime
			step("2026-12-20T03:00:00Z", testenv.Date("2026-12-15"), testenv.Date("2026-12-16"), testenv.Date("2026-12-17"), testenv.Date("2026-12-18"), testenv.Date("2026-12-19"))
			if _, err := st.Snapshot(ctx, "T1", testenv.Date("2026-12-14")); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("caught up further back than MaxCatchUp: %v", err)
			}
		})
	}
}

// TestOneReplicaComputes runs the job of two replicas on one PostgreSQL
// database: while one holds the lock the other computes nothing, and
// together they compute each day once.
func TestOneReplicaComputes(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(t)
	a, b := storetest.Open(t, dsn), storetest.Open(t, dsn)
	seed(t, a)
	now := at("2026-11-27T03:00:00Z")
	jobA := &daily.Job{Store: a, Hour: 2, Now: now}
	jobB := &daily.Job{Store: b, Hour: 2, Now: now}

	ran, err := a.TryWithLock(ctx, store.InsightsLockKey, func(ctx context.Context) error {
		got, err := jobB.Tick(ctx)
		if err != nil || len(got) != 0 {
			t.Errorf("replica B computed %v (%v) while A held the lock", got, err)
		}
		return nil
	})
	if !ran || err != nil {
		t.Fatalf("lock: ran %v, %v", ran, err)
	}

	var wg sync.WaitGroup
	results := make([][]string, 2)
	for i, j := range []*daily.Job{jobA, jobB} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := j.Tick(ctx)
			if err != nil {
				t.Error(err)
			}
			results[i] = got
		}()
	}
	wg.Wait()
	all := append(results[0], results[1]...)
	if !reflect.DeepEqual(all, []string{testenv.Date("2026-11-26")}) {
		t.Errorf("replicas computed %v and %v, want 2026-11-26 once", results[0], results[1])
	}
}
