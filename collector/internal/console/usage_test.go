package console_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/wire"
)

// TestUsageDetailsInSQL, on both engines: every sort order, both ways,
// pages through the rows in the order of the CSV, which is the order the
// rule gives (ties by email, then product); the subscription filter is
// exact; a seat assigned and a day uploaded show at the next read; an
// admin who may not purchase sees neither the over-assigned subscription
// nor the rows only it holds.
func TestUsageDetailsInSQL(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			s := newSite(t, eng.DSN(t), siteOptions{users: 150})
			b := s.browser()
			b.signIn(s.tokens["primary"])
			row := regexp.MustCompile(`<tr data-user="([^"]+)" data-product="([^"]+)"`)
			page := func(b *browser, path string) []string {
				t.Helper()
				resp, body := b.get(path)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d", path, resp.StatusCode)
				}
				var out []string
				for _, m := range row.FindAllStringSubmatch(body, -1) {
					out = append(out, m[1]+"/"+m[2])
				}
				return out
			}
			records := func(b *browser, query string) [][]string {
				t.Helper()
				_, body := b.get("/teams/T1/usage.csv?" + query)
				recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
				if err != nil || len(recs) == 0 {
					t.Fatalf("csv %s: %v", query, err)
				}
				return recs[1:]
			}
			// email, login, product, days_used, last_used, versions, assigned_on
			column := map[string]int{"email": 0, "product": 2, "days": 3, "last": 4, "assigned": 6}
			for sortBy, col := range column {
				for _, dir := range []string{"", "desc"} {
					query := "sort=" + sortBy + "&dir=" + dir
					recs := records(b, query)
					want := slices.Clone(recs)
					slices.SortStableFunc(want, func(x, y []string) int {
						c := strings.Compare(x[col], y[col])
						if sortBy == "days" {
							a, _ := strconv.Atoi(x[col])
							b, _ := strconv.Atoi(y[col])
							c = a - b
						}
						if dir == "desc" {
							c = -c
						}
						if c == 0 {
							c = strings.Compare(x[0]+"/"+x[2], y[0]+"/"+y[2])
						}
						return c
					})
					var got, shown []string
					for i, r := range recs {
						got = append(got, r[0]+"/"+r[2])
						if want[i][0] != r[0] || want[i][2] != r[2] {
							t.Fatalf("%s: row %d is %v, want %v", query, i, r, want[i])
						}
					}
					for p := 1; p <= (len(recs)+99)/100; p++ {
						shown = append(shown, page(b, fmt.Sprintf("/teams/T1/usage?%s&page=%d", query, p))...)
					}
					if !slices.Equal(got, shown) {
						t.Errorf("%s: the pages show %d rows, not the CSV's %d in its order", query, len(shown), len(got))
					}
				}
			}
			if got := page(b, "/teams/T1/usage?subscription=S3"); !slices.Equal(got, []string{"u10@acme.example/AutoCAD", "u9@acme.example/AutoCAD"}) {
				t.Errorf("subscription S3: %v", got)
			}
			if got := page(b, "/teams/T1/usage?subscription=s3"); len(got) != 0 {
				t.Errorf("subscription s3 (no such subscription) shows %v", got)
			}

			ctx := context.Background()
			today := s.now().Format("2006-01-02")
			if err := s.st.Assign(ctx, store.Change{Team: "T1", Subscription: "S2", Email: "u7@acme.example", Actor: "pat@acme.example", CanPurchase: true}, today, s.now()); err != nil {
				t.Fatal(err)
			}
			if got := page(b, "/teams/T1/usage?q=u7@"); !slices.Contains(got, "u7@acme.example/Revit") {
				t.Errorf("a seat assigned does not show: %v", got)
			}
			days := func() string {
				for _, r := range records(b, "q=u3@") {
					if r[2] == "AutoCAD" {
						return r[3]
					}
				}
				return ""
			}
			before := days()
			dev, _, err := s.st.Enroll(ctx, "ws-u3", s.now())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.st.PutDays(ctx, dev, []wire.Day{{Date: today, User: "u3", Product: "AutoCAD", Version: "2027.1", Minutes: 5, Sessions: 1}}, s.now()); err != nil {
				t.Fatal(err)
			}
			if after := days(); after == before {
				t.Errorf("a day uploaded does not show: days used %s before and after", before)
			}

			sec := s.browser()
			sec.signIn(s.tokens["secondary"])
			_, body := sec.get("/teams/T1/usage")
			if has(body, "<option>OLD</option>") || slices.Contains(page(sec, "/teams/T1/usage?q=u5@"), "u5@acme.example/AutoCAD") {
				t.Error("an admin who may not purchase sees the over-assigned subscription")
			}
			if _, body := b.get("/teams/T1/usage"); !has(body, "<option>OLD</option>") || !slices.Contains(page(b, "/teams/T1/usage?q=u5@"), "u5@acme.example/AutoCAD") {
				t.Error("the admin who may purchase does not see the over-assigned subscription")
			}
		})
	}
}
