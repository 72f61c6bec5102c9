package console_test

import (
	"net/http"
	"strings"
	"testing"

	"teamlens/collector/internal/store/storetest"
)

// TestResponsesCarryTheirSecurityHeaders: no answer of the collector can be
// sniffed into another type, no API answer with personal data stays in a
// cache, a page cannot be given another base URL, and under TLS a browser
// is told to come back over TLS only.
func TestResponsesCarryTheirSecurityHeaders(t *testing.T) {
	for _, tls := range []bool{false, true} {
		s := newSite(t, storetest.SQLiteDSN(t), siteOptions{tls: tls})
		s.seed(0)
		for _, tc := range []struct {
			path, token string
			api         bool
		}{
			{"/signin", "", false},
			{"/v1/teams/T1/insights", s.tokens["primary"], true},
			{"/v1/teams/T1/audit", s.tokens["primary"], true},
			{"/v1/teams/T1/insights", "", true}, // refused answers too
		} {
			req, _ := http.NewRequest("GET", s.srv.URL+tc.path, nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := s.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s (TLS %v): X-Content-Type-Options %q", tc.path, tls, h.Get("X-Content-Type-Options"))
			}
			if tc.api && h.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", tc.path, h.Get("Cache-Control"))
			}
			if !tc.api && !strings.Contains(h.Get("Content-Security-Policy"), "base-uri 'none'") {
				t.Errorf("%s: CSP %q lacks base-uri", tc.path, h.Get("Content-Security-Policy"))
			}
			if hsts := h.Get("Strict-Transport-Security"); !tc.api && (hsts != "") != tls {
				t.Errorf("%s (TLS %v): Strict-Transport-Security %q", tc.path, tls, hsts)
			}
		}
	}
}
