package console_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/store/storetest"
)

// BenchmarkConsole serves the pages an admin opens at a team of 100,000
// users (1,000 with -short), nine in ten with 10 usage days in the window
// and one in ten inactive,
// as the handler serves them (no network): the team page, usage-details
// pages filtered, sorted and paged, and the usage CSV, whose first byte
// is measured over a real connection. The team is filled once per engine;
// the first read of each page computes and stores the day's snapshot and
// usage details, and is left out.
func BenchmarkConsole(b *testing.B) {
	users := 100000
	if testing.Short() {
		users = 1000
	}
	last := fmt.Sprintf("x%d@acme.example", users-1)
	pages := []struct{ name, path, want string }{
		{"team", "/teams/T1", `data-kind="under_assignment"`},
		{"usage", "/teams/T1/usage", `data-user="u1@acme.example"`},
		{"usage-last-page", fmt.Sprintf("/teams/T1/usage?page=%d", (users+109)/100), `rel="prev"`},
		{"usage-sorted-desc-page-5", "/teams/T1/usage?sort=days&dir=desc&page=5", `data-user=`},
		{"usage-product-subscription", "/teams/T1/usage?product=AutoCAD&subscription=S1&sort=last&page=3", `data-user=`},
		{"usage-inactive", "/teams/T1/usage?inactive=1&product=AutoCAD", `data-kind="inactive_user"`},
		{"usage-search", "/teams/T1/usage?q=" + strings.TrimSuffix(last, "@acme.example"), `data-user="` + last + `"`},
	}
	for _, eng := range storetest.Engines(b) {
		b.Run(fmt.Sprintf("%s/users=%d", eng.Name, users), func(b *testing.B) {
			fill := time.Now()
			s := newSite(b, eng.DSN(b), siteOptions{users: users})
			b.Logf("filled %d users in %s", users, time.Since(fill).Round(time.Second))
			br := s.browser()
			br.signIn(s.tokens["primary"])
			cookies := br.c.Jar.Cookies(mustURL(b, s.srv.URL))
			get := func(path string) *httptest.ResponseRecorder {
				req := httptest.NewRequest("GET", path, nil)
				for _, c := range cookies {
					req.AddCookie(c)
				}
				rec := httptest.NewRecorder()
				s.h.ServeHTTP(rec, req)
				return rec
			}
			for _, p := range pages {
				first := time.Now()
				if rec := get(p.path); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), p.want) {
					logs := s.logs.String()
					b.Fatalf("%s: %d, without %s; log: %s", p.path, rec.Code, p.want, logs[max(0, len(logs)-2000):])
				}
				b.Logf("%s first read %s", p.name, time.Since(first).Round(time.Millisecond))
			}
			for _, p := range pages {
				b.Run(p.name, func(b *testing.B) {
					for b.Loop() {
						if rec := get(p.path); rec.Code != http.StatusOK {
							b.Fatalf("%s: %d", p.path, rec.Code)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
				})
			}
			b.Run("csv", func(b *testing.B) {
				var firstByte time.Duration
				for b.Loop() {
					t0 := time.Now()
					req, _ := http.NewRequest("GET", s.srv.URL+"/teams/T1/usage.csv", nil)
					resp, err := br.do(req)
					if err != nil {
						b.Fatal(err)
					}
					r := bufio.NewReader(resp.Body)
					if _, err := r.Peek(1); err != nil {
						b.Fatal(err)
					}
					firstByte += time.Since(t0)
					n, _ := io.Copy(io.Discard, r)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || n < int64(users)*40 {
						b.Fatalf("csv: %d, %d bytes", resp.StatusCode, n)
					}
				}
				b.ReportMetric(float64(firstByte.Microseconds())/1000/float64(b.N), "first-byte-ms")
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/csv")
			})
		})
	}
}
