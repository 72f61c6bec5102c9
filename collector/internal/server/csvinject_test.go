package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	"strings"
	"teamlens/internal/testenv"
	"testing"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/shared/catalog"
)

// TestCSVFormulaInjection imports a team, subscription, users and logins
// that begin with each character a spreadsheet evaluates and that an
// import lets through; every CSV export writes them with a leading
// apostrophe. (Tab, CR and the other control characters cannot be
// imported; csvsafe's own test covers them.)
func TestCSVFormulaInjection(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// Each user reports usage under a login starting with a trigger too.
		type person struct{ email, login string }
		people := []person{
			{"-minus@x.com", "-minus"}, {"+plus@x.com", "@at"}, {"=eq@x.com", "eq"},
			{"|pipe@x.com", "pipe"}, {"%pct@x.com", "pct"},
			{"\uFF1Dfw@x.com", "fw"}, {"\uFF0Dfwm@x.com", "fwm"}, {"\uFF20fwa@x.com", "fwa"}, {" =sp@x.com", "sp"},
		}
		users := "email,login,name\n"
		assign := "subscription,email,assigned_on\n"
		for _, p := range people {
			users += p.email + "," + p.login + ",=1+1\n"
			assign += "-S1," + p.email + testenv.Dates(",2026-01-02\n")
		}
		for _, f := range []struct{ kind, body string }{
			{"teams", "team,name,plan,user_management\n+T,=Team,premium,named\n"},
			{"users", users},
			{"subscriptions", testenv.Dates("subscription,team,product,type,seats,channel,start,end\n-S1,+T,AutoCAD,single-user,30,online,2026-01-01,2026-12-31\n")},
			{"assignments", assign},
		} {
			parsed, err := license.Parse(f.kind, strings.NewReader(f.body), catalog.Builtin())
			if err != nil {
				t.Fatal(err)
			}
			if err := e.st.Import(ctx, parsed); err != nil {
				t.Fatal(err)
			}
		}
		_, dev := e.enroll()
		if status, resp := e.do("POST", "/v1/usage", dev, batch(day("-minus", testenv.Date("2026-11-20"), 30), day("@at", testenv.Date("2026-11-20"), 30)), nil); status != 200 {
			t.Fatal(status, string(resp))
		}
		tok, err := e.st.CreateAdmin(ctx, store.Grant{Team: "+T", Email: "p@x.com", Role: "primary", CanPurchase: true}, time.Time{}, now)
		if err != nil {
			t.Fatal(err)
		}
		team := url.PathEscape("+T")
		for _, path := range []string{"/v1/teams/" + team + testenv.Dates("/usage.csv?as_of=2026-11-26"), "/v1/teams/" + team + testenv.Dates("/insights.csv?as_of=2026-11-26")} {
			status, body := e.do("GET", path, tok, nil, nil)
			if status != 200 {
				t.Fatalf("%s: %d %s", path, status, body)
			}
			rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < 2 {
				t.Fatalf("%s: no data rows: %q", path, rows)
			}
			dangerous := []string{"+T", "-S1", "-minus", "@at"}
			for _, p := range people {
				dangerous = append(dangerous, p.email)
			}
			seen := 0
			for _, row := range rows[1:] {
				for _, cell := range row {
					for _, d := range dangerous {
						if strings.HasPrefix(cell, d) {
							t.Errorf("%s: cell %q is not escaped", path, cell)
						}
						if strings.HasPrefix(cell, "'"+d) {
							seen++
						}
					}
				}
			}
			if seen == 0 {
				t.Errorf("%s: no escaped cell found in %q", path, rows)
			}
		}
	})
}
