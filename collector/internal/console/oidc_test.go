package console_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/console"
	"teamlens/collector/internal/oidc"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
)

const roleMap = `
[[group]]
name = "tl-t1-secondary"
team = "T1"
role = "secondary"

[[group]]
name = "tl-t2-primary"
team = "T2"
role = "primary"
can_purchase = true
`

// ssoSite is a site whose console signs in with p; its role map file is
// returned so a test can rewrite it.
func ssoSite(t *testing.T, dsn string) (*site, *provider, string) {
	t.Helper()
	return ssoSiteAt(t, dsn, "")
}

// ssoSiteAt is ssoSite with the provider's issuer under host (a name of
// loopback other than the site's, so that it is another site to a browser).
func ssoSiteAt(t *testing.T, dsn, host string) (*site, *provider, string) {
	t.Helper()
	mapFile := filepath.Join(t.TempDir(), "roles.toml")
	if err := os.WriteFile(mapFile, []byte(roleMap), 0o600); err != nil {
		t.Fatal(err)
	}
	var p *provider
	s := newSite(t, dsn, siteOptions{console: func(s *site, cfg *console.Config) {
		p = newProvider(t, s.now)
		if host != "" {
			p.base = strings.Replace(p.base, "127.0.0.1", host, 1)
		}
		c, err := oidc.New(oidc.Config{Issuer: p.issuer(), ClientID: p.clientID, ClientSecret: p.secret, Name: "Acme SSO",
			GroupsClaim: "groups", RoleMap: mapFile, Now: s.now})
		if err != nil {
			t.Fatal(err)
		}
		cfg.OIDC = c
	}})
	return s, p, mapFile
}

// follower is a browser that follows redirects, across the collector and
// the provider, with one cookie jar.
func (s *site) follower() *browser {
	b := s.browser()
	b.c.CheckRedirect = nil
	return b
}

func read(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOIDCSignInMapsGroupsAndRechecks: the provider's user signs in with
// the code flow, gets the role the role map gives their group, and loses
// it at the re-check after the group is taken away in the directory.
func TestOIDCSignInMapsGroupsAndRechecks(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			s, p, mapFile := ssoSite(t, eng.DSN(t))
			p.user(opUser{Sub: "u-alice", Email: "Alice@Acme.example", Verified: true, Groups: []string{"tl-t1-secondary", "unmapped"}})
			b := s.follower()
			_, page := b.get("/signin")
			sso, form := strings.Index(page, `href="/signin/oidc"`), strings.Index(page, `name="token"`)
			if sso < 0 || form < 0 || sso > form || !strings.Contains(page, "Sign in with Acme SSO") {
				t.Fatalf("sign-in page: the provider first, the token form kept: %s", page)
			}
			resp, body := b.get("/signin/oidc")
			if resp.StatusCode != 200 || !strings.Contains(body, "alice@acme.example") || resp.Request.URL.Path != "/signin/oidc/callback" {
				t.Fatalf("sign-in with the provider: %d at %s: %s", resp.StatusCode, resp.Request.URL, body)
			}
			if q := resp.Request.URL.Query(); q.Get("state") == "" || q.Get("code") == "" {
				t.Fatalf("callback without state or code: %s", resp.Request.URL)
			}
			resp, body = b.get("/teams")
			if resp.StatusCode != 200 || !strings.Contains(body, `href="/teams/T1"`) || strings.Contains(body, `href="/teams/T2"`) {
				t.Fatalf("teams of the group's role: %d %s", resp.StatusCode, body)
			}
			if resp, _ := b.get("/teams/T1"); resp.StatusCode != 200 {
				t.Fatalf("secondary reads T1's insights: %d", resp.StatusCode)
			}
			// A secondary may not manage tokens: the role is the group's.
			if resp, _ := b.get("/teams/T1/admins"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("a secondary on the admins page: %d, want 403", resp.StatusCode)
			}
			if logs := s.logs.String(); !strings.Contains(logs, "via=oidc admin=alice@acme.example") || strings.Contains(logs, p.secret) {
				t.Errorf("sign-in log: %s", logs)
			}

			// The directory takes the group away; the session keeps its role
			// until the re-check, then loses it.
			p.change("u-alice", func(u *opUser) { u.Groups = nil })
			s.advance(14 * time.Minute)
			if resp, _ := b.get("/teams/T1"); resp.StatusCode != 200 {
				t.Fatalf("before the re-check: %d", resp.StatusCode)
			}
			s.advance(2 * time.Minute)
			if resp, body := b.get("/teams/T1"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "no longer hold a role") {
				t.Fatalf("after the re-check: %d %s", resp.StatusCode, body)
			}
			if resp, _ := b.get("/teams"); resp.Request.URL.Path != "/signin" {
				t.Errorf("the session is gone: %s", resp.Request.URL)
			}

			// The role map is read at every sign-in: a new mapping of a group
			// applies to the next one, and roles of `collector admin` add up.
			p.change("u-alice", func(u *opUser) { u.Groups = []string{"tl-t1-secondary"} })
			if err := os.WriteFile(mapFile, []byte(strings.Replace(roleMap, `name = "tl-t2-primary"`, `name = "tl-t1-secondary"`, 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := s.st.CreateAdmin(context.Background(), store.Grant{Team: "T3", Email: "alice@acme.example", Role: "sso"}, time.Time{}, s.now()); err != nil {
				t.Fatal(err)
			}
			b = s.follower()
			if resp, _ := b.get("/signin/oidc"); resp.StatusCode != 200 {
				t.Fatalf("second sign-in: %d", resp.StatusCode)
			}
			_, body = b.get("/teams")
			for _, team := range []string{"T1", "T2", "T3"} {
				if !strings.Contains(body, `href="/teams/`+team+`"`) {
					t.Errorf("after the new role map and a grant: no %s in %s", team, body)
				}
			}

			// An account disabled in the directory: the provider refuses the
			// refresh at the re-check, and the session ends.
			p.change("u-alice", func(u *opUser) { u.Disabled = true })
			s.advance(15 * time.Minute)
			if resp, body := b.get("/teams"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "no longer confirms") {
				t.Fatalf("disabled account after the re-check: %d %s", resp.StatusCode, body)
			}
			if logs := s.logs.String(); !strings.Contains(logs, "console session ended at re-check") {
				t.Errorf("no log of the ended session: %s", logs)
			}
		})
	}
}

// startFlow runs a sign-in up to the provider's redirect back and returns
// the callback URL, without visiting it.
func startFlow(t *testing.T, b *browser) *url.URL {
	t.Helper()
	resp, _ := b.get("/signin/oidc")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	at, err := b.c.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	at.Body.Close()
	if at.StatusCode != http.StatusFound {
		t.Fatalf("provider: %d", at.StatusCode)
	}
	return mustURL(t, at.Header.Get("Location"))
}

func (b *browser) visit(t *testing.T, u *url.URL) (*http.Response, string) {
	t.Helper()
	resp, err := b.c.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	return resp, read(t, resp)
}

// TestOIDCRefusals: every answer that must not sign anyone in is refused
// with a page that says why and a log line without secrets, and leaves no
// session behind.
func TestOIDCRefusals(t *testing.T) {
	s, p, _ := ssoSite(t, storetest.SQLiteDSN(t))
	good := opUser{Sub: "u-bob", Email: "bob@acme.example", Verified: true, Groups: []string{"tl-t1-secondary"}}
	p.user(good)
	rogue := testKeys(t)[1]
	var codes []string
	noSession := func(t *testing.T, b *browser) {
		t.Helper()
		if resp, _ := b.get("/teams"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
			t.Errorf("a refused sign-in left a session: %d", resp.StatusCode)
		}
	}
	for _, tc := range []struct {
		name   string
		setup  func()
		edit   func(u *url.URL)
		status int
		says   string
	}{
		{name: "wrong state", edit: func(u *url.URL) { setQuery(u, "state", "forged-state") }, status: 403, says: "not started in this browser"},
		{name: "no state", edit: func(u *url.URL) { setQuery(u, "state", "") }, status: 403, says: "not started in this browser"},
		{name: "wrong nonce", setup: func() { p.setTamper(func(c map[string]any) { c["nonce"] = "another" }) }, status: 401, says: "nonce"},
		{name: "unverified email", setup: func() { p.user(opUser{Sub: "u-eve", Email: "eve@acme.example", Groups: good.Groups}) }, status: 401, says: "not verified"},
		{name: "wrong audience", setup: func() { p.setTamper(func(c map[string]any) { c["aud"] = "another-client" }) }, status: 401, says: "audience"},
		{name: "expired ID token", setup: func() {
			p.setTamper(func(c map[string]any) { c["exp"] = s.now().Add(-time.Minute).Unix() })
		}, status: 401, says: "expired"},
		{name: "rogue issuer", setup: func() { p.setTamper(func(c map[string]any) { c["iss"] = "https://rogue.example" }) }, status: 401, says: "different provider"},
		{name: "rogue key", setup: func() { p.signWith = rogue }, status: 401, says: "did not verify"},
		{name: "provider error", edit: func(u *url.URL) { setQuery(u, "error", "access_denied<script>") }, status: 401, says: "(access_denied"},
		{name: "no role", setup: func() { p.user(opUser{Sub: "u-nil", Email: "nobody@acme.example", Verified: true}) }, status: 403, says: "holds no role"},
		{name: "replayed code", edit: func(u *url.URL) { setQuery(u, "code", codes[0]) }, status: 401, says: "refused the sign-in code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.advance(6 * time.Minute) // out of the sign-in limiter's window
			// Each case first signs in once properly, so a used code exists.
			p.setTamper(nil)
			p.signWith = nil
			p.user(good)
			ok := s.browser()
			cb := startFlow(t, ok)
			codes = append(codes, cb.Query().Get("code"))
			if resp, _ := ok.visit(t, cb); resp.StatusCode != 200 {
				t.Fatalf("the good sign-in: %d", resp.StatusCode)
			}
			// The same callback again is refused: its state is used.
			if resp, body := ok.visit(t, cb); resp.StatusCode != 403 || !strings.Contains(body, "Start again") {
				t.Fatalf("replayed callback: %d %s", resp.StatusCode, body)
			}
			if tc.setup != nil {
				tc.setup()
			}
			b := s.browser()
			u := startFlow(t, b)
			if tc.edit != nil {
				tc.edit(u)
			}
			resp, body := b.visit(t, u)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.says) {
				t.Fatalf("%s: %d, want %d saying %q: %s", tc.name, resp.StatusCode, tc.status, tc.says, body)
			}
			if strings.Contains(body, "<script>") {
				t.Errorf("the provider's error is echoed unescaped")
			}
			noSession(t, b)
		})
	}
	logs := s.logs.String()
	for _, secret := range append(codes, p.secret) {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a secret or code %q", secret)
		}
	}
	if !strings.Contains(logs, `console sign-in refused" via=oidc reason="the ID token's nonce`) {
		t.Errorf("no refusal with its reason in the log: %s", logs)
	}
}

func setQuery(u *url.URL, k, v string) {
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
}

// TestOIDCOffWithoutIssuer: without a provider the sign-in page has the
// token form alone and the flow's paths do not exist.
func TestOIDCOffWithoutIssuer(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	if _, body := b.get("/signin"); strings.Contains(body, "/signin/oidc") || !strings.Contains(body, `name="token"`) {
		t.Errorf("sign-in page without OIDC: %s", body)
	}
	if resp, _ := b.get("/signin/oidc"); resp.StatusCode != 404 {
		t.Errorf("GET /signin/oidc without OIDC: %d", resp.StatusCode)
	}
}

// TestOIDCStartsAreLimited: one address cannot fill the table of started
// sign-ins; the limit is per client.
func TestOIDCStartsAreLimited(t *testing.T) {
	s, p, _ := ssoSite(t, storetest.SQLiteDSN(t))
	p.user(opUser{Sub: "u-bob", Email: "bob@acme.example", Verified: true, Groups: []string{"tl-t1-secondary"}})
	b := s.browser()
	for i := 0; i < console.MaxOIDCStarts; i++ {
		if resp, _ := b.get("/signin/oidc"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("start %d: %d", i, resp.StatusCode)
		}
	}
	if resp, _ := b.get("/signin/oidc"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("start %d: %d, want 429", console.MaxOIDCStarts+1, resp.StatusCode)
	}
	s.advance(11 * time.Minute)
	if resp, _ := b.get("/signin/oidc"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the window: %d", resp.StatusCode)
	}
}

// TestOIDCRecheckOncePerSession: requests of one session arriving together
// after the re-check is due renew it once (the provider rotates refresh
// tokens: a second renewal with the old one would be refused).
func TestOIDCRecheckOncePerSession(t *testing.T) {
	s, p, _ := ssoSite(t, storetest.SQLiteDSN(t))
	p.user(opUser{Sub: "u-bob", Email: "bob@acme.example", Verified: true, Groups: []string{"tl-t1-secondary"}})
	b := s.follower()
	if resp, _ := b.get("/signin/oidc"); resp.StatusCode != 200 {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	s.advance(16 * time.Minute)
	codes := make(chan int, 4)
	for i := 0; i < 4; i++ {
		go func() {
			resp, err := b.c.Get(s.srv.URL + "/teams")
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	for i := 0; i < 4; i++ {
		if c := <-codes; c != 200 {
			t.Errorf("request %d after the re-check was due: %d", i, c)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refreshes != 1 {
		t.Errorf("%d renewals, want 1", p.refreshes)
	}
}
