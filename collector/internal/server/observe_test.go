package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"teamlens/collector/internal/metrics"
	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store/storetest"
	"teamlens/internal/testenv"
)

// Scrape reads one sample of a Prometheus text exposition; ok is false
// when the series is absent.
func Scrape(body, series string) (float64, bool) {
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if i > 0 && line[:i] == series {
			v, err := strconv.ParseFloat(line[i+1:], 64)
			return v, err == nil
		}
	}
	return 0, false
}

// TestObserve drives uploads, refusals and a scrape through the metrics
// and logging middleware: one log line per upload and per refused request,
// no token or secret in any of them, and the counters match.
func TestObserve(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			st := storetest.Open(t, eng.DSN(t))
			logs := &testenv.Buffer{}
			m := metrics.New(prometheus.NewRegistry(), st.Size)
			srv := httptest.NewServer(server.New(server.Config{Store: st, EnrollSecret: "s3cret-ENROLL", Now: func() time.Time { return now },
				Logger: slog.New(slog.NewJSONHandler(logs, nil)), Metrics: m}))
			do := func(method, path, token, body string) int {
				t.Helper()
				req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp.StatusCode
			}
			resp, err := http.Post(srv.URL+"/v1/enroll", "application/json", strings.NewReader(`{"enroll_secret":"s3cret-ENROLL","hostname":"ws"}`))
			if err != nil {
				t.Fatal(err)
			}
			var enrolled struct {
				ID    string `json:"device_id"`
				Token string `json:"device_token"`
			}
			json.NewDecoder(resp.Body).Decode(&enrolled)
			resp.Body.Close()

			steps := []struct {
				method, path, token, body string
				want                      int
			}{
				{"POST", "/v1/usage", enrolled.Token, string(batch(day("jdoe", testenv.Date("2026-11-20"), 3), day("jdoe", testenv.Date("2026-11-21"), 3))), 200},
				{"POST", "/v1/usage", enrolled.Token, string(batch(day("jdoe", testenv.Date("2036-11-20"), 3))), 400},
				{"POST", "/v1/usage", "tok-SENSITIVE-device", string(batch(day("jdoe", testenv.Date("2026-11-20"), 3))), 401},
				{"POST", "/v1/enroll", "", `{"enroll_secret":"SENSITIVE-guess","hostname":"ws"}`, 401},
				{"POST", "/v1/enroll", "", `{"enroll_secret":"tle_SENSITIVE-token","hostname":"ws"}`, 401},
				{"GET", "/v1/teams/T1/insights", "tok-SENSITIVE-admin", "", 401},
				{"GET", "/nowhere", "", "", 404},
			}
			for _, s := range steps {
				if got := do(s.method, s.path, s.token, s.body); got != s.want {
					t.Fatalf("%s %s: %d, want %d", s.method, s.path, got, s.want)
				}
			}
			scrape, err := http.Get(srv.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(scrape.Body)
			scrape.Body.Close()
			srv.Close() // waits for the handlers, and so for their log lines

			text := logs.String()
			for _, secret := range []string{"SENSITIVE", "s3cret-ENROLL", enrolled.Token} {
				if strings.Contains(text, secret) {
					t.Errorf("log holds %q:\n%s", secret, text)
				}
			}
			var uploads, refused []map[string]any
			for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				switch rec["msg"] {
				case "upload":
					uploads = append(uploads, rec)
				case "request refused":
					refused = append(refused, rec)
				}
			}
			// An upload whose token fails has no device: it is a refused request.
			if len(uploads) != 2 || uploads[0]["device"] != enrolled.ID || uploads[0]["days"] != 2.0 || uploads[0]["status"] != 200.0 ||
				uploads[0]["ms"] == nil || uploads[1]["status"] != 400.0 || !strings.Contains(fmt.Sprint(uploads[1]["reason"]), "out of range") {
				t.Errorf("upload lines: %v", uploads)
			}
			if len(refused) != 5 || refused[0]["reason"] != "unknown or revoked device token" || refused[0]["route"] != "POST /v1/usage" ||
				refused[4]["status"] != 404.0 {
				t.Errorf("refused lines: %v", refused)
			}

			page := string(body)
			for series, want := range map[string]float64{
				`teamlens_http_requests_total{code="200",route="POST /v1/usage"}`:  1,
				`teamlens_http_requests_total{code="400",route="POST /v1/usage"}`:  1,
				`teamlens_http_requests_total{code="401",route="POST /v1/usage"}`:  1,
				`teamlens_http_requests_total{code="401",route="POST /v1/enroll"}`: 2,
				`teamlens_http_requests_total{code="404",route="unmatched"}`:       1,
				`teamlens_upload_days_total`:                                       2,
				`teamlens_upload_batch_days_count`:                                 1,
				`teamlens_insights_job_duration_seconds_count`:                     0,
			} {
				if got, ok := Scrape(page, series); !ok || got != want {
					t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
				}
			}
			if size, ok := Scrape(page, "teamlens_database_size_bytes"); !ok || size < 4096 {
				t.Errorf("database size %v (present %v)", size, ok)
			}
			if _, ok := Scrape(page, "go_goroutines"); !ok {
				t.Error("no Go runtime metrics")
			}
		})
	}
}
