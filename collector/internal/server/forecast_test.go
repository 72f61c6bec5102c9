package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
	"teamlens/internal/testenv"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

// TestRenewalForecast: team F's S ends in 60 days, 10 seats at 1,200 EUR
// a year, 6 held. f1-f3 worked every day of the last 60, f4 the last 30,
// f5 on two days (one of them inside the last 30), f6 never. Active seats:
// 4 a day over the last 30 days and 5 on f5's recent day; 3 a day and 4 on
// f5's earlier day over the 30 before. Peak 5, trend up, 10% buffer: 6
// seats, 4 fewer, 4,800 EUR a year less; f5 is occasional.
func TestRenewalForecast(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ends := now.AddDate(0, 0, 60).Format(wire.DateLayout)
		assigns := "subscription,email,assigned_on\n"
		users := "email,login,name\n"
		for i := 1; i <= 6; i++ {
			assigns += fmt.Sprintf("S,f%d@x.com,2026-01-05\n", i)
			users += fmt.Sprintf("f%d@x.com,f%d,F%d\n", i, i, i)
		}
		for _, f := range []struct{ kind, body string }{
			{"teams", "team,name,plan,user_management\nF,Forecast,premium,named\n"},
			{"users", users},
			{"subscriptions", "subscription,team,product,type,seats,channel,start,end,price,currency,term\n" +
				testenv.Dates("S,F,AutoCAD,single-user,10,online,2025-12-01,") + ends + ",1200,EUR,annual\n" +
				testenv.Dates("LATER,F,AutoCAD,single-user,2,online,2025-12-01,2027-12-31,,,\n") +
				testenv.Dates("FLEX,F,AutoCAD,flex,1,online,2025-12-01,2027-12-31,900,EUR,3-year\n")},
			{"assignments", testenv.Dates(assigns)},
		} {
			parsed, err := license.Parse(f.kind, strings.NewReader(f.body), catalog.Builtin())
			if err != nil {
				t.Fatalf("%s: %v", f.kind, err)
			}
			if err := e.st.Import(ctx, parsed); err != nil {
				t.Fatal(err)
			}
		}
		var days []wire.Day
		use := func(login string, back int) {
			days = append(days, wire.Day{Date: now.AddDate(0, 0, -back).Format(wire.DateLayout), User: login, Product: "AutoCAD", Version: "2027", Minutes: 30, Sessions: 1})
		}
		for back := 0; back < 60; back++ {
			use("f1", back)
			use("f2", back)
			use("f3", back)
			if back < 30 {
				use("f4", back)
			}
		}
		use("f5", 10)
		use("f5", 40)
		_, tok := e.enroll()
		if status, body := e.do("POST", "/v1/usage", tok, batch(days...), nil); status != 200 {
			t.Fatal(status, string(body))
		}
		if _, err := insights.Run(ctx, e.st, catalog.Builtin(), now.Format(wire.DateLayout), now); err != nil {
			t.Fatal(err)
		}
		token, err := e.st.CreateAdmin(ctx, store.Grant{Team: "F", Email: "f@x.com", Role: "sso"}, time.Time{}, now)
		if err != nil {
			t.Fatal(err)
		}
		get := func(query string) teams.RenewalForecast {
			t.Helper()
			status, body := e.do("GET", "/v1/teams/F/forecast"+query, token, nil, nil)
			var f teams.RenewalForecast
			if status != 200 || json.Unmarshal(body, &f) != nil {
				t.Fatalf("forecast%s: %d %s", query, status, body)
			}
			return f
		}
		cost := func(v float64) *float64 { return &v }
		want := teams.Renewal{Subscription: "S", Product: "AutoCAD", Type: "single-user", EndsOn: ends, DaysLeft: 60, Seats: 10, Assigned: 6,
			PeakActive: 5, Trend: "up", Recommended: 6, Change: -4, Currency: "EUR", YearlyCostChange: cost(-4800), Occasional: []string{"f5@x.com"},
			// f5 on a Flex seat: 300 EUR a year instead of 1,200.
			Flex: "FLEX", OccasionalYearlyCost: cost(1200), FlexYearlyCost: cost(300)}
		f := get("")
		if len(f.Renewals) != 1 || !reflect.DeepEqual(f.Renewals[0], want) || f.BufferPercent != 10 || f.OccasionalDays != 3 {
			t.Errorf("forecast\n got %s\nwant %s", js(f), js(want))
		}
		want.Recommended, want.Change, want.YearlyCostChange = 5, -5, cost(-6000)
		if f := get("?buffer=0"); len(f.Renewals) != 1 || !reflect.DeepEqual(f.Renewals[0], want) {
			t.Errorf("no buffer: %s", js(f))
		}
		if status, _ := e.do("GET", "/v1/teams/F/forecast?buffer=ten", token, nil, nil); status != 400 {
			t.Errorf("a buffer that is no number: %d", status)
		}
	})
}
