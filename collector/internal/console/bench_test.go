package console_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"teamlens/collector/internal/store/storetest"
)

// BenchmarkTeamPage renders the team page of a team of 1,000 users with 90
// days of usage, as the handler serves it (no network): the server time of
// the page an admin opens every morning.
func BenchmarkTeamPage(b *testing.B) { benchPage(b, "/teams/T1", `data-kind="under_assignment"`) }

// BenchmarkUsagePage is the same for the usage details with their charts.
func BenchmarkUsagePage(b *testing.B) {
	benchPage(b, "/teams/T1/usage", `data-user="x999@acme.example"`)
}

func benchPage(b *testing.B, path, want string) {
	for _, eng := range storetest.Engines(b) {
		b.Run(eng.Name, func(b *testing.B) {
			s := newSite(b, eng.DSN(b), siteOptions{users: 1000})
			br := s.browser()
			br.signIn(s.tokens["primary"])
			cookies := br.c.Jar.Cookies(mustURL(b, s.srv.URL))
			get := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest("GET", path, nil)
				for _, c := range cookies {
					req.AddCookie(c)
				}
				rec := httptest.NewRecorder()
				s.h.ServeHTTP(rec, req)
				return rec
			}
			// The first read computes and stores the day's snapshot.
			if rec := get(); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
				b.Fatalf("%s: %d", path, rec.Code)
			}
			b.ResetTimer()
			for b.Loop() {
				if rec := get(); rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", path, rec.Code)
				}
			}
		})
	}
}
