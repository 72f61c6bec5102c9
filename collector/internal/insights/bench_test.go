package insights_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

// fill builds a site of n users in teams of 100, each using AutoCAD and
// Revit on each of the 90 days of the window, with startup and save stats
// and two commands per day.
func fill(b *testing.B, st *store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	var teams, users, subs, assigns strings.Builder
	teams.WriteString("team,name,plan,user_management\n")
	users.WriteString("email,login,name\n")
	subs.WriteString("subscription,team,product,type,seats,channel,start,end\n")
	assigns.WriteString("subscription,email,assigned_on\n")
	for t := 0; t < (n+99)/100; t++ {
		fmt.Fprintf(&teams, "T%d,Team %d,premium,named\n", t, t)
		for _, p := range []string{"AutoCAD", "Revit"} {
			fmt.Fprintf(&subs, "T%d-%s,T%d,%s,single-user,110,online,2026-01-01,2026-12-31\n", t, p, t, p)
		}
	}
	for u := 0; u < n; u++ {
		fmt.Fprintf(&users, "u%d@x.com,u%d,U %d\n", u, u, u)
		for _, p := range []string{"AutoCAD", "Revit"} {
			fmt.Fprintf(&assigns, "T%d-%s,u%d@x.com,2026-01-05\n", u/100, p, u)
		}
	}
	for _, f := range []struct{ kind, body string }{{"teams", teams.String()}, {"users", users.String()}, {"subscriptions", subs.String()}, {"assignments", assigns.String()}} {
		parsed, err := license.Parse(f.kind, strings.NewReader(f.body), catalog.Builtin())
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Import(ctx, parsed); err != nil {
			b.Fatal(err)
		}
	}
	device, _, err := st.Enroll(ctx, "bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	asOf, _ := time.Parse(license.DateLayout, "2026-06-30")
	var days []wire.Day
	flush := func() {
		if err := st.PutDays(ctx, device, days, time.Now()); err != nil {
			b.Fatal(err)
		}
		days = days[:0]
	}
	for u := 0; u < n; u++ {
		for d := 0; d < insights.WindowDays; d++ {
			for _, p := range []string{"AutoCAD", "Revit"} {
				ms := int64(2000 + (u*37+d)%3000)
				days = append(days, wire.Day{Date: asOf.AddDate(0, 0, -d).Format(license.DateLayout), User: fmt.Sprintf("u%d", u),
					Product: p, Version: []string{"2027", "2026", "2025"}[(u+d)%3], Minutes: 60, Sessions: 1,
					Analytics: &wire.Analytics{StartupMS: &wire.Stat{Count: 1, Sum: ms, Min: ms, Max: ms},
						SaveMS:   &wire.Stat{Count: 2, Sum: ms, Min: ms / 2, Max: ms / 2},
						Commands: map[string]*wire.Outcomes{"LINE": {Started: 5, Completed: 4}, "MOVE": {Started: 2, Completed: 2}}}})
			}
		}
		if len(days) >= 5000 {
			flush()
		}
	}
	flush()
}

// peakHeap samples the heap in use while fn runs.
func peakHeap(fn func()) uint64 {
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return peak
}

// BenchmarkInsights computes and stores every team's snapshot for a site
// of 1,000 and 10,000 users x 90 days x 2 products.
func BenchmarkInsights(b *testing.B) {
	for _, eng := range storetest.Engines(b) {
		for _, n := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("%s/users=%d", eng.Name, n), func(b *testing.B) {
				if eng.Name == "postgres" && n > 1000 && testing.Short() {
					b.Skip("filling PostgreSQL with 1.8M rows is slow")
				}
				st, err := store.Open(context.Background(), eng.DSN(b))
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
				start := time.Now()
				fill(b, st, n)
				b.Logf("filled %d day records in %v", n*insights.WindowDays*2, time.Since(start))
				runtime.GC()
				b.ResetTimer()
				var peak uint64
				for i := 0; i < b.N; i++ {
					peak = max(peak, peakHeap(func() {
						if _, err := insights.Run(context.Background(), st, catalog.Builtin(), "2026-06-30", time.Now()); err != nil {
							b.Fatal(err)
						}
					}))
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			})
		}
	}
}

// BenchmarkPutDays measures ingest: day records stored per second, in
// batches of 500 days like an agent's upload.
func BenchmarkPutDays(b *testing.B) {
	for _, eng := range storetest.Engines(b) {
		b.Run(eng.Name, func(b *testing.B) {
			st, err := store.Open(context.Background(), eng.DSN(b))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			device, _, err := st.Enroll(context.Background(), "bench", time.Now())
			if err != nil {
				b.Fatal(err)
			}
			// 500 users a day from one device: past any sensible cap.
			st.SetMaxDeviceUsers(0)
			const batch = 500
			days := make([]wire.Day, batch)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range days {
					days[j] = wire.Day{Date: "2026-06-30", User: fmt.Sprintf("u%d", i*batch+j), Product: "AutoCAD", Version: "2027", Minutes: 60, Sessions: 1,
						Analytics: &wire.Analytics{StartupMS: &wire.Stat{Count: 1, Sum: 3000, Min: 3000, Max: 3000},
							Commands: map[string]*wire.Outcomes{"LINE": {Started: 5, Completed: 4}, "MOVE": {Started: 2, Completed: 2}}}}
				}
				if err := st.PutDays(context.Background(), device, days, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "days/s")
		})
	}
}
