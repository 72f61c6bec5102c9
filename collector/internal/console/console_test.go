package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
)

func sqliteSite(t testing.TB, opt siteOptions) *site {
	return newSite(t, storetest.SQLiteDSN(t), opt)
}

func cookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestSignInSessionCookieAndSignOut(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(map[bool]string{false: "http", true: "tls"}[tls], func(t *testing.T) {
			s := newSite(t, storetest.SQLiteDSN(t), siteOptions{tls: tls})
			b := s.browser()
			if resp, _ := b.get("/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
				t.Fatalf("GET / signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			resp, body := b.get("/signin")
			if resp.StatusCode != 200 || !strings.Contains(body, `name="token"`) || b.csrf == "" {
				t.Fatalf("sign-in form: %d %s", resp.StatusCode, body)
			}
			resp, _ = b.post("/signin", url.Values{"token": {s.tokens["primary"]}})
			name := map[bool]string{false: "teamlens_session", true: "__Host-teamlens_session"}[tls]
			c := cookie(resp, name)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/teams" || c == nil {
				t.Fatalf("sign in: %d, location %q, cookie %v", resp.StatusCode, resp.Header.Get("Location"), c)
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure != tls || c.MaxAge <= 0 || c.MaxAge > 8*3600 {
				t.Errorf("session cookie flags: HttpOnly %v SameSite %v Secure %v (TLS %v) MaxAge %d", c.HttpOnly, c.SameSite, c.Secure, tls, c.MaxAge)
			}
			if strings.Contains(c.Value, s.tokens["primary"]) {
				t.Error("the session cookie carries the admin token")
			}
			resp, body = b.get("/teams")
			if resp.StatusCode != 200 || !strings.Contains(body, `href="/teams/T1"`) || strings.Contains(body, `href="/teams/T2"`) {
				t.Fatalf("team picker: %d %s", resp.StatusCode, body)
			}
			if resp, _ := b.post("/signout", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
				t.Fatalf("sign out: %d", resp.StatusCode)
			}
			// The old cookie value no longer opens a session, even replayed.
			replay := s.browser()
			u, _ := url.Parse(s.srv.URL)
			replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: c.Value}})
			if resp, _ := replay.get("/teams"); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("replayed cookie after sign-out: %d", resp.StatusCode)
			}
		})
	}
}

// TestSignInRefusesAPlantedCookie: an attacker who can set a cookie for
// the console's site (a sibling subdomain, plain HTTP) and put the same
// value in a form gets no sign-in through: the console signs the values
// it issues.
func TestSignInRefusesAPlantedCookie(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	u, _ := url.Parse(s.srv.URL)
	planted := strings.Repeat("a", 43)
	for _, v := range []string{planted, planted + ".forged"} {
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "teamlens_signin", Value: v}})
		if resp, _ := b.post("/signin", url.Values{"token": {s.tokens["primary"]}, "csrf": {v}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("sign-in with a planted cookie %q: %d", v, resp.StatusCode)
		}
	}
	b.get("/signin")
	if resp, _ := b.post("/signin", url.Values{"token": {s.tokens["primary"]}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in with the issued cookie: %d", resp.StatusCode)
	}
}

func TestSignInFailuresAreLimitedAndLoggedWithoutToken(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	b.get("/signin")
	if resp, _ := b.post("/signin", url.Values{"token": {s.tokens["primary"]}, "csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in with a wrong csrf: %d", resp.StatusCode)
	}
	wrong := "not-a-token-" + strings.Repeat("z", 30)
	for i := 0; i < 5; i++ {
		if resp, _ := b.post("/signin", url.Values{"token": {wrong}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	resp, _ := b.post("/signin", url.Values{"token": {s.tokens["primary"]}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("sixth attempt within the window: %d", resp.StatusCode)
	}
	s.advance(6 * time.Minute)
	b.signIn(s.tokens["primary"])
	logs := s.logs.String()
	if strings.Count(logs, "console sign-in failed") != 5 || !strings.Contains(logs, "too many failures") {
		t.Errorf("failures not logged:\n%s", logs)
	}
	for name, tok := range map[string]string{"wrong": wrong, "good": s.tokens["primary"]} {
		if strings.Contains(logs, tok) {
			t.Errorf("the log holds the %s token", name)
		}
	}
}

func TestPostsWithoutTheRightCSRFAreRefused(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	b.signIn(s.tokens["primary"])
	good := b.csrf
	for _, tt := range []struct {
		name, path string
		form       url.Values
	}{
		{"recompute without csrf", "/teams/T1/recompute", url.Values{"csrf": {""}}},
		{"recompute forged", "/teams/T1/recompute", url.Values{"csrf": {good[:len(good)-1] + "x"}}},
		{"assign forged", "/teams/T1/assign", url.Values{"csrf": {"x"}, "subscription": {"S1"}, "email": {"u5@acme.example"}}},
		{"unassign without csrf", "/teams/T1/unassign", url.Values{"csrf": {""}, "subscription": {"OLD"}, "email": {"u1@acme.example"}}},
		{"sign out forged", "/signout", url.Values{"csrf": {"x"}}},
	} {
		if resp, _ := b.post(tt.path, tt.form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", tt.name, resp.StatusCode)
		}
	}
	_, body := b.get("/teams/T1")
	if !strings.Contains(body, `data-user="u1@acme.example"`) {
		t.Error("a refused unassign changed the data")
	}
	// The session's token in a header passes, as in a form.
	req, _ := http.NewRequest("POST", s.srv.URL+"/teams/T1/recompute", nil)
	req.Header.Set("X-Csrf-Token", good)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("X-Csrf-Token header: %d", resp.StatusCode)
	}
}

// TestEveryRoleOnEveryPage is the role matrix of the console.
func TestEveryRoleOnEveryPage(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	type route struct {
		method, path string
		form         url.Values
	}
	routes := map[string]route{
		"team":     {"GET", "/teams/T1", nil},
		"usage":    {"GET", "/teams/T1/usage", nil},
		"csv":      {"GET", "/teams/T1/usage.csv", nil},
		"assign":   {"GET", "/teams/T1/assign?subscription=S1", nil},
		"admins":   {"GET", "/teams/T1/admins", nil},
		"recomp":   {"POST", "/teams/T1/recompute", nil},
		"add":      {"POST", "/teams/T1/assign", url.Values{"subscription": {"S2"}, "email": {"u7@acme.example"}}},
		"remove":   {"POST", "/teams/T1/unassign", url.Values{"subscription": {"S2"}, "email": {"u7@acme.example"}}},
		"mint":     {"POST", "/teams/T1/admins/tokens", url.Values{"email": {"sso@acme.example"}, "days": {"1"}}},
		"tokenbad": {"POST", "/teams/T1/admins/tokens/0000000000000000/revoke", nil},
	}
	// Expected status per role; POSTs that work redirect (303), and the
	// add/remove pair leaves the data as it was.
	const ok, see, forbidden, missing = 200, 303, 403, 404
	want := map[string]map[string]int{
		"primary":   {"team": ok, "usage": ok, "csv": ok, "assign": ok, "admins": ok, "recomp": see, "add": see, "remove": see, "mint": ok, "tokenbad": missing},
		"secondary": {"team": ok, "usage": ok, "csv": ok, "assign": ok, "admins": forbidden, "recomp": see, "add": see, "remove": see, "mint": forbidden, "tokenbad": forbidden},
		"sso":       {"team": ok, "usage": ok, "csv": ok, "assign": forbidden, "admins": forbidden, "recomp": forbidden, "add": forbidden, "remove": forbidden, "mint": forbidden, "tokenbad": forbidden},
		"user":      {"team": forbidden, "usage": forbidden, "csv": forbidden, "assign": forbidden, "admins": forbidden, "recomp": forbidden, "add": forbidden, "remove": forbidden, "mint": forbidden, "tokenbad": forbidden},
		"other":     {"team": forbidden, "usage": forbidden, "csv": forbidden, "assign": forbidden, "admins": forbidden, "recomp": forbidden, "add": forbidden, "remove": forbidden, "mint": forbidden, "tokenbad": forbidden},
	}
	order := []string{"team", "usage", "csv", "assign", "admins", "recomp", "add", "remove", "mint", "tokenbad"}
	for role, statuses := range want {
		t.Run(role, func(t *testing.T) {
			b := s.browser()
			b.signIn(s.tokens[role])
			for _, name := range order {
				r := routes[name]
				var resp *http.Response
				var body string
				if r.method == "GET" {
					resp, body = b.get(r.path)
				} else {
					form := url.Values{}
					for k, v := range r.form {
						form[k] = v
					}
					resp, body = b.post(r.path, form)
				}
				if resp.StatusCode != statuses[name] {
					t.Errorf("%s %s: %d, want %d\n%.300s", r.method, r.path, resp.StatusCode, statuses[name], body)
				}
				if resp.StatusCode == forbidden && !strings.Contains(body, "Forbidden") {
					t.Errorf("%s: a 403 without its page", name)
				}
			}
		})
	}
}

func TestRevokedOrExpiredTokenEndsTheSession(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	ctx := context.Background()
	// Each request is the first after its token was revoked: the answer
	// is 401 with the sign-in form, and the cookie is cleared.
	for _, path := range []string{"GET /teams", "GET /teams/T1", "GET /teams/T1/usage", "POST /teams/T1/recompute", "POST /signout"} {
		tok, id, err := s.st.MintToken(ctx, "sam@acme.example", "T1", "test", false, time.Time{}, s.now())
		if err != nil {
			t.Fatal(err)
		}
		b := s.browser()
		b.signIn(tok)
		if _, err := s.st.RevokeTokens(ctx, id, s.now()); err != nil {
			t.Fatal(err)
		}
		method, p, _ := strings.Cut(path, " ")
		var resp *http.Response
		var body string
		if method == "GET" {
			resp, body = b.get(p)
		} else {
			resp, body = b.post(p, nil)
		}
		if c := cookie(resp, "teamlens_session"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `name="token"`) || c == nil || c.MaxAge >= 0 {
			t.Errorf("revoked token, %s: %d, cookie %v", path, resp.StatusCode, c)
		}
		if resp, _ := b.get("/teams"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("after the 401, %s: %d, want the way to /signin", path, resp.StatusCode)
		}
	}
	// An expiring token: its session dies with it, not at the session's end.
	tok, err := s.st.CreateAdmin(ctx, grant("T1", "exp@acme.example", "sso"), s.now().Add(time.Hour), s.now())
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.signIn(tok)
	for _, d := range []time.Duration{25 * time.Minute, 25 * time.Minute, 9 * time.Minute} { // never idle for 30m
		s.advance(d)
		if resp, _ := b.get("/teams/T1"); resp.StatusCode != 200 {
			t.Errorf("before expiry: %d", resp.StatusCode)
		}
	}
	s.advance(2 * time.Minute)
	if resp, _ := b.get("/teams/T1"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after expiry: %d", resp.StatusCode)
	}
	b = s.browser()
	b.get("/signin")
	if resp, _ := b.post("/signin", url.Values{"token": {tok}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("sign in with an expired token: %d", resp.StatusCode)
	}
	// Sessions end on their own too.
	b = s.browser()
	b.signIn(s.tokens["sso"])
	s.advance(8*time.Hour + time.Minute)
	if resp, _ := b.get("/teams"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after the session's lifetime: %d", resp.StatusCode)
	}
}

// TestSessionsPerTokenAreCapped: signing in again and again with one token
// keeps its newest sessions only; the oldest ends.
func TestSessionsPerTokenAreCapped(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	var browsers []*browser
	for i := 0; i <= store.MaxSessionsPerToken; i++ {
		b := s.browser()
		b.signIn(s.tokens["sso"])
		browsers = append(browsers, b)
		s.advance(time.Second)
	}
	if resp, _ := browsers[0].get("/teams"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the oldest of %d sessions: %d, want 401", len(browsers), resp.StatusCode)
	}
	for i, b := range browsers[1:] {
		if resp, _ := b.get("/teams"); resp.StatusCode != http.StatusOK {
			t.Errorf("session %d: %d", i+1, resp.StatusCode)
		}
	}
}
