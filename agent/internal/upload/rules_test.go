package upload_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"teamlens/agent/internal/store"
	"teamlens/agent/internal/upload"
	"teamlens/internal/testenv"
	"teamlens/shared/localclient"
)

// fakeCollector enrolls every device and answers /v1/usage with usage.
func fakeCollector(t *testing.T, usage http.HandlerFunc) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/enroll", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"device_id":"d1","device_token":"t1"}`)
	})
	mux.HandleFunc("POST /v1/usage", usage)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// elsewhere is another host, counting what reaches it.
func elsewhere(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, `{"device_id":"evil","device_token":"evil","accepted":1}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func queue(t *testing.T, st *store.Store) localclient.StatusQueue {
	t.Helper()
	s, err := st.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s.Queue
}

func TestEnrollFollowsNoRedirect(t *testing.T) {
	other, hits := elsewhere(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	st, dir := newStore(t)
	session(t, st, "AutoCAD", 1)
	u := &upload.Uploader{Collector: srv.URL, EnrollSecret: "s3cret", DataDir: dir, Store: st}
	if err := u.Once(ctx); err == nil || !strings.Contains(err.Error(), "307") {
		t.Fatalf("enrolling through a redirect: %v", err)
	}
	if hits.Load() != 0 {
		t.Fatal("the enroll secret went to the redirect's host")
	}
	if _, err := os.Stat(filepath.Join(dir, upload.TokenFile)); err == nil {
		t.Fatal("a token was stored")
	}
}

// TestOnlyAFullAcceptanceMarksDays sends pending days to collectors that
// answer everything but a 200 {"accepted":N} for the N days sent: every
// day stays queued and nothing is quarantined.
func TestOnlyAFullAcceptanceMarksDays(t *testing.T) {
	other, hits := elsewhere(t)
	for name, answer := range map[string]http.HandlerFunc{
		"redirect to another host": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/v1/usage", http.StatusTemporaryRedirect)
		},
		"permanent redirect": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/v1/usage", http.StatusPermanentRedirect)
		},
		"200 with an HTML page": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>Welcome to the hotel wifi</body></html>")
		},
		"200 accepting fewer days": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"accepted":1}`)
		},
		"400 naming no day": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"unsupported schema"}`)
		},
		"400 naming a day out of range": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"bad","day":7}`)
		},
		"503": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
		},
		"500": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := fakeCollector(t, answer)
			st, dir := newStore(t)
			session(t, st, "AutoCAD", 1)
			session(t, st, "AutoCAD", 2)
			u := &upload.Uploader{Collector: srv.URL, EnrollSecret: "s3cret", DataDir: dir, Store: st}
			if err := u.Once(ctx); err == nil {
				t.Fatal("the upload succeeded")
			}
			if q := queue(t, st); q.DaysPending != 2 || q.DaysQuarantined != 0 {
				t.Fatalf("queue %+v, want both days pending", q)
			}
			if hits.Load() != 0 {
				t.Fatal("the users' days went to the redirect's host")
			}
		})
	}
}

func TestQuarantineIsListedAndRequeued(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	srv := fakeCollector(t, func(w http.ResponseWriter, r *http.Request) {
		if refuse.Load() {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"days[1]: minutes over 1440","day":1}`)
			return
		}
		io.WriteString(w, `{"accepted":2}`)
	})
	st, dir := newStore(t)
	session(t, st, "AutoCAD", 1)
	session(t, st, "AutoCAD", 2)
	u := &upload.Uploader{Collector: srv.URL, EnrollSecret: "s3cret", DataDir: dir, Store: st, BatchDays: 2}
	// The named day is set aside; the other goes on being refused with it
	// in the same batch, then alone, until the collector takes it.
	refuse.Store(true)
	_ = u.Once(ctx)
	q := queue(t, st)
	if q.DaysQuarantined != 1 || len(q.Quarantined) != 1 || q.Quarantined[0].Date != day(1) ||
		q.Quarantined[0].Reason != "days[1]: minutes over 1440" || q.Quarantined[0].User != "jdoe" {
		t.Fatalf("queue %+v", q)
	}
	n, err := st.Requeue(ctx, "")
	if err != nil || n != 1 {
		t.Fatalf("requeue: %d, %v", n, err)
	}
	if q := queue(t, st); q.DaysQuarantined != 0 || len(q.Quarantined) != 0 || q.DaysPending < 1 {
		t.Fatalf("after requeue: %+v", q)
	}
	refuse.Store(false)
	if err := u.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if q := queue(t, st); q.DaysPending != 0 || q.DaysQuarantined != 0 {
		t.Fatalf("after the collector took them: %+v", q)
	}
}

// TestRefusedTokenReenrolls rebuilds the real collector's database under
// the agent: its token is refused, it enrolls again with the configured
// secret, keeps and then uploads every day, and says so in status.
func TestRefusedTokenReenrolls(t *testing.T) {
	st, dir := newStore(t)
	session(t, st, "AutoCAD", 3)
	addr := freeAddr(t)
	var log bytes.Buffer
	u := &upload.Uploader{Collector: "http://" + addr, EnrollSecret: "s3cret", DataDir: dir, Store: st,
		Log: slog.New(slog.NewTextHandler(&log, nil))}
	c := startCollector(t, addr, filepath.Join(t.TempDir(), "collector.db"))
	if err := u.Once(ctx); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(filepath.Join(dir, upload.TokenFile))
	c.stop()
	c = startCollector(t, addr, filepath.Join(t.TempDir(), "rebuilt.db"))
	session(t, st, "AutoCAD", 1)
	session(t, st, "AutoCAD", 2)
	if err := u.Once(ctx); err != nil {
		t.Fatalf("upload after the collector was rebuilt: %v", err)
	}
	if got := c.stored(t); len(got) != 2 {
		t.Fatalf("the rebuilt collector holds %v", got)
	}
	now, _ := os.ReadFile(filepath.Join(dir, upload.TokenFile))
	var a, b upload.Device
	json.Unmarshal(old, &a)
	json.Unmarshal(now, &b)
	if b.Token == "" || a.Token == b.Token {
		t.Fatalf("token not replaced: %s -> %s", old, now)
	}
	s, _ := st.Status(ctx)
	if s.Queue.DaysPending != 0 || !strings.Contains(s.LastUpload.Reenrolled, "refused the device token") ||
		!strings.Contains(s.LastUpload.Reenrolled, "2 days pending kept") {
		t.Fatalf("status: %+v %+v", s.Queue, s.LastUpload)
	}
	if !strings.Contains(log.String(), "enrolling again with the configured enroll secret") {
		t.Fatalf("log does not say so:\n%s", log.String())
	}
}

func TestReenrollWithARefusedSecretKeepsDays(t *testing.T) {
	enrolls := 0
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/enroll", func(w http.ResponseWriter, r *http.Request) {
		enrolls++
		if enrolls > 1 {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"bad enroll secret"}`)
			return
		}
		io.WriteString(w, `{"device_id":"d1","device_token":"t1"}`)
	})
	mux.HandleFunc("POST /v1/usage", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"unknown device token"}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	st, dir := newStore(t)
	session(t, st, "AutoCAD", 1)
	u := &upload.Uploader{Collector: srv.URL, EnrollSecret: "old-secret", DataDir: dir, Store: st}
	err := u.Once(ctx)
	if err == nil || !strings.Contains(err.Error(), "enrolling again failed") {
		t.Fatalf("err %v", err)
	}
	if q := queue(t, st); q.DaysPending != 1 {
		t.Fatalf("queue %+v", q)
	}
}

func TestPlainHTTPWarning(t *testing.T) {
	for url, loud := range map[string]bool{
		"http://collector.example.com:8080": true,
		"http://10.0.0.5":                   true,
		"https://collector.example.com":     false,
		"http://localhost:8080":             false,
		"http://127.0.0.1:9000":             false,
		"http://[::1]:9000":                 false,
	} {
		if got := upload.PlainHTTPWarning(url) != ""; got != loud {
			t.Errorf("%s: warning %v, want %v", url, got, loud)
		}
	}
	var log bytes.Buffer
	st, dir := newStore(t)
	u := &upload.Uploader{Collector: "http://192.0.2.1:1", EnrollSecret: "s", DataDir: dir, Store: st,
		Log: slog.New(slog.NewTextHandler(&log, nil))}
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	u.Run(stopped)
	if !strings.Contains(log.String(), "level=WARN msg=\"WARNING: the collector URL is plain http") {
		t.Fatalf("no loud warning in the log:\n%s", log.String())
	}
}

// TestBusyCollectorIsGivenItsRetryAfter: a 503 keeps every day and the
// next attempt waits at least as long as Retry-After asks.
func TestBusyCollectorIsGivenItsRetryAfter(t *testing.T) {
	srv := fakeCollector(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"error":"collector busy, retry later"}`)
	})
	st, dir := newStore(t)
	session(t, st, "AutoCAD", 1)
	log := &testenv.Buffer{}
	u := &upload.Uploader{Collector: srv.URL, EnrollSecret: "s3cret", DataDir: dir, Store: st, Interval: time.Second,
		Log: slog.New(slog.NewTextHandler(log, nil))}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- u.Run(runCtx) }()
	testenv.Eventually(t, 20*time.Second, "a retry logged", func() error {
		if !strings.Contains(log.String(), "upload failed; retrying") {
			return fmt.Errorf("log:\n%s", log.String())
		}
		return nil
	})
	cancel()
	<-done
	if !strings.Contains(log.String(), "in=30s") {
		t.Fatalf("the retry does not wait for Retry-After:\n%s", log.String())
	}
	if q := queue(t, st); q.DaysPending != 1 {
		t.Fatalf("queue %+v", q)
	}
}
