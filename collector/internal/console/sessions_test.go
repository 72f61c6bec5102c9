package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/console"
	"teamlens/collector/internal/store/storetest"
)

const (
	firefoxLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	edgeWindows  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)

// TestSessionIdleAndLifetime: a session ends after --session-idle without
// a request, and at --session-max however busy; ended sessions are pruned.
func TestSessionIdleAndLifetime(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			s := newSite(t, eng.DSN(t), siteOptions{console: func(s *site, cfg *console.Config) {
				cfg.SessionIdle, cfg.SessionTTL = 20*time.Minute, time.Hour
			}})
			signedIn := s.now()
			busy := s.browser()
			busy.signIn(s.tokens["sso"])
			idle := s.browser()
			idle.signIn(s.tokens["secondary"])
			for i := 0; i < 3; i++ { // busy: a request every 19 minutes
				s.advance(19 * time.Minute)
				if resp, _ := busy.get("/teams"); resp.StatusCode != 200 {
					t.Fatalf("busy session at %v: %d", s.now().Sub(signedIn), resp.StatusCode)
				}
			}
			// idle saw no request for 57 minutes.
			if resp, _ := idle.get("/teams"); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("idle session: %d, want 401", resp.StatusCode)
			}
			s.advance(4 * time.Minute) // 61 minutes after sign-in
			if resp, _ := busy.get("/teams"); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("busy session past its lifetime: %d, want 401", resp.StatusCode)
			}
			// Pruned: not even a reader of an earlier moment finds them.
			s.advance(2 * time.Minute)
			fresh := s.browser()
			fresh.signIn(s.tokens["primary"]) // a sign-in prunes
			left, err := s.st.Sessions(context.Background(), nil, signedIn)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range left {
				if x.Email != "pat@acme.example" {
					t.Errorf("an ended session of %s is still stored", x.Email)
				}
			}
		})
	}
}

var sessionRow = regexp.MustCompile(`<tr data-session="([0-9a-f]+)"( data-current="1")?>(.*)`)

type shownSession struct {
	handle  string
	current bool
	text    string
}

func sessionsOn(t *testing.T, b *browser, path string) []shownSession {
	t.Helper()
	resp, body := b.get(path)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s\n%s", path, resp.StatusCode, body, b.s.logs.String())
	}
	var out []shownSession
	for _, m := range sessionRow.FindAllStringSubmatch(body, -1) {
		out = append(out, shownSession{handle: m[1], current: m[2] != "", text: m[3]})
	}
	return out
}

// TestYourSessionsPage: an admin sees their sessions (device, address,
// started, last seen), ends one, and signs out everywhere; a primary
// admin ends a session of their team's admin and no other.
func TestYourSessionsPage(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	laptop := s.browser()
	laptop.ua = firefoxLinux
	laptop.signIn(s.tokens["primary"])
	s.advance(time.Minute)
	desktop := s.browser()
	desktop.ua = edgeWindows
	desktop.signIn(s.tokens["primary"])
	s.advance(time.Minute)
	phone := s.browser()
	phone.signIn(s.tokens["primary"])

	rows := sessionsOn(t, desktop, "/sessions")
	if len(rows) != 3 {
		t.Fatalf("sessions of pat: %d, want 3: %v", len(rows), rows)
	}
	var current, firefox shownSession
	for _, r := range rows {
		if r.current {
			current = r
		}
		if strings.Contains(r.text, "Firefox on Linux") {
			firefox = r
		}
	}
	if !strings.Contains(current.text, "Edge on Windows") || !strings.Contains(current.text, "127.0.0.1") || !strings.Contains(current.text, "admin token") {
		t.Errorf("this session's row: %q", current.text)
	}
	if firefox.handle == "" || !strings.Contains(firefox.text, start.UTC().Format("2006-01-02 15:04")) {
		t.Fatalf("the laptop's row with its start: %v", rows)
	}
	if resp, _ := desktop.post("/sessions/"+firefox.handle+"/end", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("end the laptop's session: %d", resp.StatusCode)
	}
	if resp, _ := laptop.get("/teams"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the ended session still works: %d", resp.StatusCode)
	}
	if resp, _ := phone.get("/teams"); resp.StatusCode != 200 {
		t.Errorf("another session ended with it: %d", resp.StatusCode)
	}
	// Another admin cannot end pat's session by its handle.
	sam := s.browser()
	sam.signIn(s.tokens["secondary"])
	if resp, _ := sam.post("/sessions/"+current.handle+"/end", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("sam ends pat's session: %d, want 404", resp.StatusCode)
	}
	// Sign out everywhere.
	if resp, _ := desktop.post("/sessions/end-all", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
		t.Fatalf("sign out everywhere: %d", resp.StatusCode)
	}
	// This browser lost its cookie; the phone keeps one that opens nothing.
	if resp, _ := desktop.get("/teams"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("desktop after signing out everywhere: %d", resp.StatusCode)
	}
	if resp, _ := phone.get("/teams"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("phone after signing out everywhere: %d", resp.StatusCode)
	}
	if resp, _ := sam.get("/teams"); resp.StatusCode != 200 {
		t.Errorf("sam's session ended with pat's: %d", resp.StatusCode)
	}

	// The team's primary sees and ends the team's admins' sessions.
	pat := s.browser()
	pat.signIn(s.tokens["primary"])
	olga := s.browser()
	olga.signIn(s.tokens["other"])
	if _, body := pat.get("/sessions"); !strings.Contains(body, `href="/teams/T1/sessions"`) {
		t.Errorf("pat's sessions page does not lead to T1's admins' sessions")
	}
	if _, body := sam.get("/sessions"); strings.Contains(body, `/teams/T1/sessions"`) {
		t.Errorf("a secondary's sessions page leads to the team's sessions")
	}
	var samRow shownSession
	for _, r := range sessionsOn(t, pat, "/teams/T1/sessions") {
		if strings.Contains(r.text, "olga@") {
			t.Errorf("T1's sessions show T2's admin: %q", r.text)
		}
		if strings.Contains(r.text, "sam@acme.example") {
			samRow = r
		}
	}
	if samRow.handle == "" {
		t.Fatal("T1's sessions do not show sam's")
	}
	if resp, _ := sam.get("/teams/T1/sessions"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a secondary on the team's sessions: %d, want 403", resp.StatusCode)
	}
	if resp, _ := olga.post("/teams/T2/sessions/"+samRow.handle+"/end", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("T2's primary ends T1's admin's session: %d, want 404", resp.StatusCode)
	}
	if resp, _ := pat.post("/teams/T1/sessions/"+samRow.handle+"/end", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("pat ends sam's session: %d", resp.StatusCode)
	}
	if resp, _ := sam.get("/teams"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("sam's ended session: %d", resp.StatusCode)
	}
	if _, body := pat.get("/teams/T1"); !strings.Contains(body, `data-audit="session.end"`) {
		t.Errorf("T1's audit log does not show the ended session")
	}
	if resp, _ := olga.get("/teams"); resp.StatusCode != 200 {
		t.Errorf("olga's session: %d", resp.StatusCode)
	}
}

func TestDevice(t *testing.T) {
	for ua, want := range map[string]string{
		firefoxLinux: "Firefox on Linux",
		edgeWindows:  "Edge on Windows",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15": "Safari on macOS",
		"curl/8.5.0": "curl",
		"":           "unknown device",
	} {
		if got := console.Device(ua); got != want {
			t.Errorf("Device(%q) = %q, want %q", ua, got, want)
		}
	}
}
