package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"teamlens/internal/testenv"
	"testing"
	"time"

	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
)

// errorDay reads the "day" of a 400 body, -1 when absent.
func errorDay(t *testing.T, body []byte) int {
	t.Helper()
	var b struct {
		Error string `json:"error"`
		Day   *int   `json:"day"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if b.Day == nil {
		return -1
	}
	return *b.Day
}

func TestDeviceUserCap(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		e.st.SetMaxDeviceUsers(3)
		_, tok := e.enroll()
		// Four users on one day: the fourth is one too many, the batch is
		// refused naming it, and nothing of it is stored.
		status, body := e.do("POST", "/v1/usage", tok, batch(day("u1", testenv.Date("2026-11-20"), 1), day("u2", testenv.Date("2026-11-20"), 1),
			day("u3", testenv.Date("2026-11-19"), 1), day(`CORP\U1`, testenv.Date("2026-11-20"), 1), day("u3", testenv.Date("2026-11-20"), 1), day("u4", testenv.Date("2026-11-20"), 1)), nil)
		if status != 400 || errorDay(t, body) != 5 || !strings.Contains(string(body), testenv.Dates("4 distinct users on 2026-11-20, over the limit of 3")) {
			t.Fatalf("over the cap: %d %s", status, body)
		}
		if d, _, _ := e.stored(); d != 0 {
			t.Fatalf("%d days stored from a refused batch", d)
		}
		// Up to the cap is fine, and sending the same users again too
		// (CORP\U1 is u1).
		three := batch(day("u1", testenv.Date("2026-11-20"), 1), day("u2", testenv.Date("2026-11-20"), 1), day("u3", testenv.Date("2026-11-20"), 1), day(`CORP\U1`, testenv.Date("2026-11-20"), 1))
		for i := 0; i < 2; i++ {
			if status, body := e.do("POST", "/v1/usage", tok, three, nil); status != 200 {
				t.Fatalf("at the cap, upload %d: %d %s", i, status, body)
			}
		}
		// A later batch cannot add a fourth user to that day, but may on
		// another day.
		status, body = e.do("POST", "/v1/usage", tok, batch(day("u9", testenv.Date("2026-11-21"), 1), day("u4", testenv.Date("2026-11-20"), 1)), nil)
		if status != 400 || errorDay(t, body) != 1 {
			t.Fatalf("fourth user later: %d %s", status, body)
		}
		if status, body := e.do("POST", "/v1/usage", tok, batch(day("u4", testenv.Date("2026-11-21"), 1)), nil); status != 200 {
			t.Fatalf("another day: %d %s", status, body)
		}
		// Another device has its own count.
		_, tok2 := e.enroll()
		if status, body := e.do("POST", "/v1/usage", tok2, batch(day("u4", testenv.Date("2026-11-20"), 1)), nil); status != 200 {
			t.Fatalf("second device: %d %s", status, body)
		}
	})
}

// TestDeviceUserCapConcurrent sends one new user per batch from one device
// in parallel: the batches cannot slip past the cap together.
func TestDeviceUserCapConcurrent(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		e.st.SetMaxDeviceUsers(3)
		_, tok := e.enroll()
		const n = 12
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", e.url+"/v1/usage", bytes.NewReader(batch(day(fmt.Sprintf("c%d", i), testenv.Date("2026-11-20"), 1))))
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				codes[i] = resp.StatusCode
			}()
		}
		wg.Wait()
		ok := 0
		for _, c := range codes {
			switch c {
			case 200:
				ok++
			case 400, 503:
			default:
				t.Errorf("status %d", c)
			}
		}
		var users int
		if err := e.raw.QueryRow(`SELECT COUNT(DISTINCT login) FROM usage_days`).Scan(&users); err != nil {
			t.Fatal(err)
		}
		if ok != 3 || users != 3 {
			t.Errorf("%d batches accepted, %d users stored; want 3 and 3 (codes %v)", ok, users, codes)
		}
	})
}

func TestDevicesByLoginAndRevokeDeleteData(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tokens := seedTeams(t, e) // jdoe's day from a first device ws-01
		idA, tokA := e.enroll()
		if status, body := e.do("POST", "/v1/usage", tokA, batch(day("jdoe", testenv.Date("2026-11-21"), 5), day("jdoe", testenv.Date("2026-11-22"), 5), day("other", testenv.Date("2026-11-22"), 5)), nil); status != 200 {
			t.Fatal(status, string(body))
		}
		devs, err := e.st.DevicesByLogin(ctx, testenv.Date("2026-09-01"), testenv.Date("2026-11-26"))
		if err != nil {
			t.Fatal(err)
		}
		got := devs["jdoe@x.com"]
		if len(got) != 2 || got[0].DeviceID != idA || got[0].Days != 2 || got[0].FirstDay != testenv.Date("2026-11-21") || got[0].LastDay != testenv.Date("2026-11-22") ||
			got[0].Hostname != "ws-01" || got[1].Days != 1 || got[0].Revoked {
			t.Fatalf("devices of jdoe: %+v", got)
		}
		if _, ok := devs["other"]; ok || len(devs) != 1 {
			t.Errorf("an unmatched login is listed: %+v", devs)
		}
		status, body := e.do("GET", testenv.Dates("/v1/teams/T1/usage.csv?as_of=2026-11-26"), tokens["primary"], nil, nil)
		if status != 200 || !strings.Contains(string(body), "ws-01 ("+idA+");ws-01 ("+got[1].DeviceID+")") {
			t.Errorf("usage.csv devices column: %d %s", status, body)
		}

		before, _, _ := e.stored()
		del, err := e.st.RevokeDevice(ctx, idA, true, now)
		if err != nil {
			t.Fatal(err)
		}
		if del.Days != 3 || del.Logins != 3 {
			t.Errorf("deleted %+v, want 3 days, 3 logins", del)
		}
		if after, _, _ := e.stored(); after != before-3 {
			t.Errorf("%d days left of %d, want the other device's kept", after, before)
		}
		var rows int
		for _, table := range []string{"usage_days", "device_logins"} {
			if err := e.raw.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE device_id = ?`, idA).Scan(&rows); err != nil || rows != 0 {
				t.Errorf("%s: %d rows of the revoked device left (%v)", table, rows, err)
			}
		}
		if status, _ := e.do("POST", "/v1/usage", tokA, batch(day("jdoe", testenv.Date("2026-11-23"), 5)), nil); status != 401 {
			t.Errorf("revoked device uploads: %d", status)
		}
		devs, _ = e.st.DevicesByLogin(ctx, testenv.Date("2026-09-01"), testenv.Date("2026-11-26"))
		if len(devs["jdoe@x.com"]) != 1 {
			t.Errorf("devices after delete: %+v", devs)
		}
		if _, err := e.st.RevokeDevice(ctx, "nope", true, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown device: %v", err)
		}
	})
}

func TestEnrollTokens(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// A collector without a shared secret: only minted tokens enroll.
		srv := httptest.NewServer(server.New(server.Config{Store: e.st, Now: func() time.Time { return now }}))
		t.Cleanup(srv.Close)
		enroll := func(secret string) int {
			t.Helper()
			body, _ := json.Marshal(map[string]string{"enroll_secret": secret, "hostname": "ws"})
			resp, err := http.Post(srv.URL+"/v1/enroll", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if c := enroll(""); c != 401 {
			t.Errorf("empty secret with the shared secret off: %d", c)
		}
		if c := enroll("s3cret"); c != 401 {
			t.Errorf("some secret with the shared secret off: %d", c)
		}
		tok, info, err := e.st.MintEnrollToken(ctx, now.Add(7*24*time.Hour), 2, now)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok, store.EnrollTokenPrefix) || info.MaxUses != 2 {
			t.Fatalf("minted %q %+v", tok, info)
		}
		var hash string
		if err := e.raw.QueryRow(`SELECT token_hash FROM enroll_tokens WHERE id = ?`, info.ID).Scan(&hash); err != nil || hash != store.HashToken(tok) {
			t.Errorf("token not stored hashed: %q %v", hash, err)
		}
		for i, want := range []int{200, 200, 401} {
			if c := enroll(tok); c != want {
				t.Errorf("use %d: %d, want %d", i+1, c, want)
			}
		}
		expired, _, err := e.st.MintEnrollToken(ctx, now.Add(-time.Hour), 5, now.Add(-2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if c := enroll(expired); c != 401 {
			t.Errorf("expired token: %d", c)
		}
		if _, _, err := e.st.MintEnrollToken(ctx, now, 1, now); err == nil {
			t.Error("token expiring now minted")
		}
		// The shared-secret collector of env takes tokens too.
		tok2, _, _ := e.st.MintEnrollToken(ctx, now.Add(time.Hour), 1, now)
		if status, body := e.do("POST", "/v1/enroll", "", []byte(`{"enroll_secret":"`+tok2+`","hostname":"ws"}`), nil); status != 200 {
			t.Errorf("token on a collector with a secret: %d %s", status, body)
		}

		// A revoked token enrolls no more; the list shows uses, never tokens.
		tok4, info4, _ := e.st.MintEnrollToken(ctx, now.Add(time.Hour), 3, now)
		if err := e.st.RevokeEnrollToken(ctx, info4.ID, now); err != nil {
			t.Fatal(err)
		}
		if c := enroll(tok4); c != 401 {
			t.Errorf("revoked token: %d", c)
		}
		if err := e.st.RevokeEnrollToken(ctx, "nope", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoke unknown token: %v", err)
		}
		list, err := e.st.EnrollTokens(ctx)
		if err != nil || len(list) != 4 {
			t.Fatalf("list: %+v %v", list, err)
		}
		for _, x := range list {
			if x.ID == info.ID && (x.Used != 2 || x.MaxUses != 2) {
				t.Errorf("listed %+v, want 2 of 2 uses", x)
			}
		}

		// Parallel enrollments never spend more uses than the token has.
		tok3, _, _ := e.st.MintEnrollToken(ctx, now.Add(time.Hour), 5, now)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if enroll(tok3) == 200 {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if ok != 5 {
			t.Errorf("%d enrollments with a 5-use token", ok)
		}
	})
}

// TestReenrolledHostnameIsLogged: each device has its own user cap, so a
// workstation enrolled again and again is told to whoever reads the log.
func TestReenrolledHostnameIsLogged(t *testing.T) {
	st := storetest.Open(t, storetest.SQLiteDSN(t))
	logs := &testenv.Buffer{}
	srv := httptest.NewServer(server.New(server.Config{Store: st, EnrollSecret: "s3cret", Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(logs, nil))}))
	defer srv.Close()
	e := &env{t: t, st: st, url: srv.URL}
	e.enroll()
	if strings.Contains(logs.String(), "enrolled again") {
		t.Fatalf("a first enrollment is logged as a repeat:\n%s", logs)
	}
	e.enroll()
	if !strings.Contains(logs.String(), `msg="hostname enrolled again`) || !strings.Contains(logs.String(), "active_devices=2") {
		t.Errorf("a second enrollment of ws-01 is not logged:\n%s", logs)
	}
}
