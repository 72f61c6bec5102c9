//go:build unix

package server_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/wire"
)

// BenchmarkIngestHTTP measures the collector's ingest over HTTP: four
// devices at once each post b.N gzip batches of 5,000 days (the cap), one
// after the other as an agent does, bodies encoded before the clock
// starts. Reported as days/s, with the 503s a batch met.
func BenchmarkIngestHTTP(b *testing.B) {
	for _, eng := range storetest.Engines(b) {
		b.Run(eng.Name, func(b *testing.B) {
			st := storetest.Open(b, eng.DSN(b))
			st.SetMaxDeviceUsers(0) // each device reports 28 users a day
			srv := httptest.NewServer(server.New(server.Config{Store: st, EnrollSecret: "s", Now: func() time.Time { return now }}))
			defer srv.Close()
			const devices, perBatch = 4, 5000
			tokens := make([]string, devices)
			bodies := make([][]byte, devices)
			for d := range tokens {
				_, tokens[d], _ = st.Enroll(b.Context(), "bench", now)
				days := make([]wire.Day, 0, perBatch)
				// 16 users a device: under the cap of distinct users per
				// device and day.
				for i := 0; len(days) < perBatch; i++ {
					for _, p := range []string{"AutoCAD", "Revit"} {
						ms := int64(2000 + i%3000)
						days = append(days, wire.Day{Date: now.AddDate(0, 0, -(i / 16)).Format(wire.DateLayout), User: fmt.Sprintf("d%du%d", d, i%16),
							Product: p, Version: "2027.1", Minutes: 60, Sessions: 1, Analytics: &wire.Analytics{
								StartupMS: &wire.Stat{Count: 1, Sum: ms, Min: ms, Max: ms}, SaveMS: &wire.Stat{Count: 2, Sum: ms / 2 * 2, Min: ms / 2, Max: ms / 2},
								Commands: map[string]*wire.Outcomes{"LINE": {Started: 5, Completed: 4}, "MOVE": {Started: 2, Completed: 2}}}})
					}
				}
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				json.NewEncoder(zw).Encode(wire.Batch{Schema: 1, BatchID: "x", Days: days})
				zw.Close()
				bodies[d] = buf.Bytes()
			}
			cpu0 := cpuSeconds()
			b.ResetTimer()
			// Each device sends its batches one after the other, as an
			// agent does, while the others send theirs.
			var wg sync.WaitGroup
			var busy atomic.Int64
			for d := range tokens {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < b.N; i++ {
						for {
							req, _ := http.NewRequest("POST", srv.URL+"/v1/usage", bytes.NewReader(bodies[d]))
							req.Header.Set("Authorization", "Bearer "+tokens[d])
							req.Header.Set("Content-Encoding", "gzip")
							resp, err := http.DefaultClient.Do(req)
							if err != nil {
								b.Error(err)
								return
							}
							msg, _ := io.ReadAll(resp.Body)
							resp.Body.Close()
							if resp.StatusCode == 200 {
								break
							}
							if resp.StatusCode != 503 {
								b.Errorf("status %d: %s", resp.StatusCode, msg)
								return
							}
							busy.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N*devices*perBatch)/b.Elapsed().Seconds(), "days/s")
			b.ReportMetric(float64(busy.Load())/float64(b.N*devices), "503s/batch")
			// On a shared machine the wall rate depends on the neighbours;
			// the rate per CPU-second of this process does much less.
			b.ReportMetric(float64(b.N*devices*perBatch)/(cpuSeconds()-cpu0), "days/cpu-s")
		})
	}
}

// cpuSeconds is the user and system CPU time of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
