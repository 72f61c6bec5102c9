//go:build !windows

package insights_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
// and two commands per day. The license picture goes through Import; the
// usage rows, as PutDays would write them, are generated in SQL, since
// uploading 18M days would take longer than the benchmark itself.
func fill(b *testing.B, st *store.Store, dsn string, n int) *sql.DB {
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
	raw := storetest.Raw(b, dsn)
	asOf, _ := time.Parse(license.DateLayout, "2026-06-30")
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := raw.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE bench_days (n BIGINT, day TEXT)`)
	for d := 0; d < insights.WindowDays; d++ {
		exec(`INSERT INTO bench_days VALUES ($1, $2)`, d, asOf.AddDate(0, 0, -d).Format(license.DateLayout))
	}
	const numbers = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1) `
	exec(numbers+`INSERT INTO usage_days (device_id, os_user, product, version, day, login, minutes, sessions,
			startup_count, startup_sum, save_count, save_sum, commands, received_at)
		SELECT CAST($2 AS TEXT), 'u' || CAST(n.i AS TEXT), p.column1,
			CASE (n.i + d.n) % 3 WHEN 0 THEN '2027' WHEN 1 THEN '2026' ELSE '2025' END, d.day, 'u' || CAST(n.i AS TEXT), 60, 1,
			1, 2000 + (n.i * 37 + d.n) % 3000, 2, 2000 + (n.i * 37 + d.n) % 3000, 'LINE:4 MOVE:2', '2026-06-30T00:00:00Z'
		FROM n CROSS JOIN bench_days d CROSS JOIN (VALUES ('AutoCAD'), ('Revit')) AS p`, n-1, device)
	exec(`INSERT INTO login_products (login, product, first_day, last_day) SELECT login, product, MIN(day), MAX(day) FROM usage_days GROUP BY login, product`)
	exec(`INSERT INTO usage_generations (day, gen) SELECT DISTINCT day, 1 FROM usage_days`)
	if store.IsPostgres(dsn) {
		// As autovacuum would have by then; SQLite databases of the
		// collector are never analyzed.
		exec(`ANALYZE`)
	}
	return raw
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
// of 1,000, 10,000 and (without -short) 100,000 users x 90 days x 2
// products. It reports the first computation after the data arrived (cold:
// every digest computed), and per op a day's computation: uploads changed
// the window's last two days, so their digests are computed again.
func BenchmarkInsights(b *testing.B) {
	for _, eng := range storetest.Engines(b) {
		for _, n := range []int{1000, 10000, 100000} {
			b.Run(fmt.Sprintf("%s/users=%d", eng.Name, n), func(b *testing.B) {
				if n > 10000 && testing.Short() {
					b.Skip("100,000 users take minutes to fill")
				}
				dsn := eng.DSN(b)
				st, err := store.Open(context.Background(), dsn)
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
				start := time.Now()
				raw := fill(b, st, dsn, n)
				b.Logf("filled %d day records in %v", n*insights.WindowDays*2, time.Since(start))
				run := func() {
					if _, err := insights.Run(context.Background(), st, catalog.Builtin(), "2026-06-30", time.Now()); err != nil {
						b.Fatal(err)
					}
				}
				runtime.GC()
				start, cpu0 := time.Now(), cpuTime()
				coldPeak := peakHeap(run)
				cold, coldCPU := time.Since(start), cpuTime()-cpu0
				b.ResetTimer()
				var peak uint64
				cpu0 = cpuTime()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					// A day's uploads: today's and, from late laptops, yesterday's.
					if _, err := raw.Exec(`UPDATE usage_generations SET gen = gen + 1 WHERE day >= '2026-06-29'`); err != nil {
						b.Fatal(err)
					}
					runtime.GC()
					b.StartTimer()
					peak = max(peak, peakHeap(run))
				}
				b.StopTimer()
				// CPU of this process: all of SQLite's work, only the
				// client's share of PostgreSQL's. The machine is shared, so
				// CPU time says more than wall time.
				b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
				b.ReportMetric(cold.Seconds(), "cold-s")
				b.ReportMetric(coldCPU.Seconds(), "cold-cpu-s")
				b.ReportMetric(float64(coldPeak)/(1<<20), "cold-peak-heap-MB")
				b.ReportMetric(float64(peakRSS())/(1<<20), "peak-rss-MB")
			})
		}
	}
}

// cpuTime is the CPU time, user and system, this process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's peak resident memory so far (Linux), 0 when
// unknown.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
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
