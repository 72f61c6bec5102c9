package console_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"teamlens/collector/internal/proxy"
)

// TestTrustedProxyDecidesForwardedHeaders: behind a trusted proxy the
// sign-in limiter counts the forwarded client and X-Forwarded-Proto: https
// makes the cookies Secure and __Host-; from anyone else the headers
// change nothing.
func TestTrustedProxyDecidesForwardedHeaders(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	serve := func(trusted ...string) string {
		tr, err := proxy.Parse(trusted)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(tr.Handler(s.h))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	get := func(base, path string, h map[string]string, jar http.CookieJar) *http.Response {
		req, _ := http.NewRequest("GET", base+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := (&http.Client{Jar: jar}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	// badSignIn posts a wrong token as the client at xff and returns the status.
	badSignIn := func(base, xff string) int {
		jar, _ := cookiejar.New(nil)
		resp := get(base, "/signin", map[string]string{"X-Forwarded-For": xff}, jar)
		csrf := ""
		for _, c := range jar.Cookies(mustURL(t, base)) {
			if c.Name == "teamlens_signin" {
				csrf = c.Value
			}
		}
		if resp.StatusCode != 200 || csrf == "" {
			t.Fatalf("sign-in page: %d, csrf %q", resp.StatusCode, csrf)
		}
		req, _ := http.NewRequest("POST", base+"/signin", strings.NewReader(url.Values{"token": {"wrong"}, "csrf": {csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := (&http.Client{Jar: jar}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	behind := serve("127.0.0.0/8")
	c := cookie(get(behind, "/signin", map[string]string{"X-Forwarded-Proto": "https"}, nil), "__Host-teamlens_signin")
	if c == nil || !c.Secure {
		t.Errorf("behind a trusted TLS proxy: sign-in cookie %v, want __Host- and Secure", c)
	}
	for i := 0; i < 5; i++ {
		if got := badSignIn(behind, "203.0.113.1"); got != http.StatusUnauthorized {
			t.Fatalf("bad sign-in %d: %d", i, got)
		}
	}
	if got := badSignIn(behind, "203.0.113.1"); got != http.StatusTooManyRequests {
		t.Errorf("the forwarded client after 5 failures: %d, want 429", got)
	}
	if got := badSignIn(behind, "203.0.113.2"); got != http.StatusUnauthorized {
		t.Errorf("another client of the same proxy: %d, want 401 (not blocked)", got)
	}
	if logs := s.logs.String(); !strings.Contains(logs, "remote=203.0.113.1") {
		t.Errorf("the log does not name the forwarded client: %s", logs)
	}

	direct := serve() // nobody trusted
	if c := cookie(get(direct, "/signin", map[string]string{"X-Forwarded-Proto": "https"}, nil), "teamlens_signin"); c == nil || c.Secure {
		t.Errorf("an untrusted X-Forwarded-Proto made the cookie %v", c)
	}
	for i := 0; i < 5; i++ {
		badSignIn(direct, "198.51.100."+string(rune('1'+i)))
	}
	if got := badSignIn(direct, "198.51.100.9"); got != http.StatusTooManyRequests {
		t.Errorf("a new X-Forwarded-For from an untrusted peer escaped the limiter: %d, want 429", got)
	}
}
