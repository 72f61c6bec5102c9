package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"teamlens/internal/testenv"
	"testing"
	"time"

	"teamlens/collector/internal/ingest"
	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/wire"
)

func TestBatchOverTheDayCapIs413(t *testing.T) {
	e := newEnv(t, storetest.SQLiteDSN(t), 0)
	srv := httptest.NewServer(server.New(server.Config{Store: e.st, EnrollSecret: "s3cret", Now: func() time.Time { return now }, MaxBatchDays: 10}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	_, tok := e.enroll()
	days := make([]wire.Day, 11)
	for i := range days {
		days[i] = day(fmt.Sprintf("u%d", i), testenv.Date("2026-11-20"), 10)
	}
	status, body := e.do("POST", "/v1/usage", tok, batch(days...), nil)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "batch has 11 days, over the limit of 10 days per batch") {
		t.Fatalf("11 days: %d %s, want 413 naming the cap", status, body)
	}
	if d, _, _ := e.stored(); d != 0 {
		t.Fatalf("%d days stored from a refused batch", d)
	}
	if status, body := e.do("POST", "/v1/usage", tok, batch(days[:10]...), nil); status != 200 {
		t.Fatalf("a batch at the cap: %d %s", status, body)
	}
}

// TestConcurrentUploadsGetOnly200Or503 has many devices upload at once to a
// collector whose queue holds few batches: every answer is 200 or 503 with
// Retry-After, and every acknowledged day is stored once.
func TestConcurrentUploadsGetOnly200Or503(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e := newEnv(t, eng.DSN(t), 0)
			srv := httptest.NewServer(server.New(server.Config{Store: e.st, EnrollSecret: "s3cret", Now: func() time.Time { return now },
				Ingest: ingest.New(ingest.Config{MaxBatches: 2})}))
			t.Cleanup(srv.Close)
			const devices, batches, perBatch = 12, 3, 20
			tokens := make([]string, devices)
			for i := range tokens {
				_, tokens[i] = e.enroll()
			}
			var mu sync.Mutex
			answers := map[int]int{}
			var wg sync.WaitGroup
			for d, tok := range tokens {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for b := 0; b < batches; b++ {
						days := make([]wire.Day, perBatch)
						for i := range days {
							days[i] = day(fmt.Sprintf("d%du%d", d, i), testenv.At(time.Date(2026, 11, 1+b, 0, 0, 0, 0, time.UTC)).Format(wire.DateLayout), 1+i)
						}
						for {
							status, retry, err := post(srv.URL, tok, batch(days...))
							if err != nil {
								t.Error(err)
								return
							}
							mu.Lock()
							answers[status]++
							mu.Unlock()
							if status == http.StatusOK {
								break
							}
							if status != http.StatusServiceUnavailable || retry < 1 {
								t.Errorf("answer %d with Retry-After %d", status, retry)
								return
							}
							time.Sleep(time.Duration(retry) * 50 * time.Millisecond)
						}
					}
				}()
			}
			wg.Wait()
			t.Logf("answers: %v", answers)
			want := int64(devices * batches * perBatch)
			if d, m, _ := e.stored(); d != want || m != int64(devices*batches*perBatch*(perBatch+1)/2) {
				t.Fatalf("stored %d days (%d minutes), want %d acknowledged days once each", d, m, want)
			}
		})
	}
}

func post(url, token string, body []byte) (status, retryAfter int, err error) {
	req, err := http.NewRequest("POST", url+"/v1/usage", bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	resp.Body.Close()
	retryAfter, _ = strconv.Atoi(resp.Header.Get("Retry-After"))
	return resp.StatusCode, retryAfter, nil
}
