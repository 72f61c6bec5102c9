package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
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

// A held-out organization for the money rules, every figure computed by
// hand below. Team M (premium): A1 AutoCAD 5 seats at 1800 EUR a year, R1
// Revit 2 seats at 300 EUR a month (3600 a year), F1 AutoCAD flex 3 seats
// at 900 USD for 3 years (300 a year), U1 AutoCAD 1 seat unpriced, OLD
// AutoCAD online at 1200 EUR a year that ended and is still held by e4.
// e1 and e2 are in Design, e3 in Build, e4 in no department. e1 uses
// AutoCAD and Revit, e2 AutoCAD; e3 and e4 use nothing.
func seedMoney(t *testing.T, e *env) (token string, days []string) {
	t.Helper()
	ctx := context.Background()
	for _, f := range []struct{ kind, body string }{
		{"teams", "team,name,plan,user_management\nM,Money,premium,named\n"},
		{"users", "email,login,name,department\ne1@x.com,e1,E1,Design\ne2@x.com,e2,E2,Design\ne3@x.com,e3,E3,Build\ne4@x.com,e4,E4,\n"},
		{"subscriptions", "subscription,team,product,type,seats,channel,start,end,price,currency,term\n" +
			"A1,M,AutoCAD,single-user,5,online,2026-01-01,2027-12-31,1800.00,EUR,annual\n" +
			"R1,M,Revit,single-user,2,online,2026-01-01,2027-12-31,300,EUR,monthly\n" +
			"F1,M,AutoCAD,flex,3,reseller,2026-01-01,2027-12-31,900,USD,3-year\n" +
			"U1,M,AutoCAD,single-user,1,online,2026-01-01,2027-12-31,,,\n" +
			"OLD,M,AutoCAD,single-user,2,online,2025-01-01,2026-06-30,1200,EUR,\n"},
		{"assignments", "subscription,email,assigned_on\nA1,e1@x.com,2026-01-05\nA1,e2@x.com,2026-01-05\nA1,e3@x.com,2026-01-05\n" +
			"R1,e1@x.com,2026-01-05\nR1,e4@x.com,2026-01-05\nF1,e3@x.com,2026-01-05\nU1,e2@x.com,2026-01-05\nOLD,e4@x.com,2025-01-05\n"},
	} {
		parsed, err := license.Parse(f.kind, strings.NewReader(testenv.Dates(f.body)), catalog.Builtin())
		if err != nil {
			t.Fatalf("%s: %v", f.kind, err)
		}
		if err := e.st.Import(ctx, parsed); err != nil {
			t.Fatal(err)
		}
	}
	back := func(n int) string { return now.AddDate(0, 0, -n).Format(wire.DateLayout) }
	use := func(login, product string, n int) wire.Day {
		return wire.Day{Date: back(n), User: login, Product: product, Version: "2027", Minutes: 30, Sessions: 1}
	}
	_, tok := e.enroll()
	if status, body := e.do("POST", "/v1/usage", tok, batch(use("e1", "AutoCAD", 1), use("e1", "AutoCAD", 2), use("e1", "Revit", 1), use("e2", "AutoCAD", 2)), nil); status != 200 {
		t.Fatal(status, string(body))
	}
	days = []string{back(2), back(1)}
	for _, d := range append(days, back(0)) {
		if _, err := insights.Run(ctx, e.st, catalog.Builtin(), d, now); err != nil {
			t.Fatal(err)
		}
	}
	token, err := e.st.CreateAdmin(ctx, store.Grant{Team: "M", Email: "m@x.com", Role: "primary", CanPurchase: true}, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	return token, days
}

func TestMoneyOnFindings(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		token, _ := seedMoney(t, e)
		status, body := e.do("GET", "/v1/teams/M/insights", token, nil, nil)
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		snap, err := insights.Decode(body)
		if err != nil {
			t.Fatal(err)
		}
		f := func(v float64) *float64 { return &v }
		money := func(c string, monthly, yearly float64) insights.Money {
			return insights.Money{Currency: c, MonthlyCost: f(monthly), YearlySaving: f(yearly)}
		}
		wantUnder := map[string]insights.Money{"A1": money("EUR", 300, 3600), "F1": money("USD", 50, 600)}
		for _, x := range snap.Insights.UnderAssignment {
			if !reflect.DeepEqual(x.Money, wantUnder[x.Subscription]) {
				t.Errorf("under_assignment %s: %s", x.Subscription, js(x))
			}
			delete(wantUnder, x.Subscription)
		}
		if len(wantUnder) != 0 {
			t.Errorf("missing under_assignment %v", wantUnder)
		}
		// e3's AutoCAD seat: A1 comes first of A1 and F1.
		wantInactive := map[string]insights.Money{"AutoCAD e3@x.com": money("EUR", 150, 1800), "Revit e4@x.com": money("EUR", 300, 3600)}
		for _, x := range snap.Insights.InactiveUser {
			if k := x.Product + " " + x.User; !reflect.DeepEqual(x.Money, wantInactive[k]) {
				t.Errorf("inactive_user %s: %s", k, js(x))
			}
		}
		if len(snap.Insights.InactiveUser) != 2 {
			t.Errorf("inactive users %s", js(snap.Insights.InactiveUser))
		}
		if o := snap.Insights.OverAssignment; len(o) != 1 || o[0].Currency != "EUR" || *o[0].YearlyCost != 1200 || *o[0].MonthlyCost != 100 {
			t.Errorf("over_assignment %s", js(o))
		}
		if !strings.Contains(string(body), `"yearly_saving":3600`) || strings.Contains(string(body), `"subscription":"U1","product":"AutoCAD","seats":1,"assigned":1,"available":0,"currency"`) {
			t.Errorf("JSON: %s", body)
		}
		if got := teams.Savings(snap); !reflect.DeepEqual(got, map[string]float64{"EUR": 9000, "USD": 600}) {
			t.Errorf("savings %v", got)
		}
		status, body = e.do("GET", "/v1/teams/M/insights.csv", token, nil, nil)
		rows, _ := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if status != 200 || len(rows) < 2 || strings.Join(rows[0][len(rows[0])-4:], ",") != "currency,monthly_cost,yearly_saving,yearly_cost" {
			t.Fatalf("insights.csv: %d %v", status, rows)
		}
		found := false
		for _, r := range rows[1:] {
			found = found || strings.Join(append([]string{r[2], r[4]}, r[len(r)-4:]...), ",") == "under_assignment,A1,EUR,300,3600,"
		}
		if !found {
			t.Errorf("insights.csv has no priced A1 row: %v", rows)
		}
	})
}

func TestCostByDepartment(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		token, _ := seedMoney(t, e)
		status, body := e.do("GET", "/v1/teams/M/cost", token, nil, nil)
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		var got teams.Cost
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		f := func(v float64) *float64 { return &v }
		want := []teams.CostRow{
			costRow("(none)", "Revit", "R1", 1, f(3600), f(3600), "EUR"),
			costRow("Build", "AutoCAD", "A1", 1, f(1800), f(1800), "EUR"),
			costRow("Build", "AutoCAD", "F1", 1, f(300), f(300), "USD"),
			costRow("Design", "AutoCAD", "A1", 2, f(3600), f(0), "EUR"),
			costRow("Design", "AutoCAD", "U1", 1, nil, nil, ""),
			costRow("Design", "Revit", "R1", 1, f(3600), f(0), "EUR"),
			costRow("unassigned", "AutoCAD", "A1", 2, f(3600), f(3600), "EUR"),
			costRow("unassigned", "AutoCAD", "F1", 2, f(600), f(600), "USD"),
		}
		if !reflect.DeepEqual(got.Rows, want) {
			t.Errorf("rows\n got %s\nwant %s", js(got.Rows), js(want))
		}
		wantTotals := []teams.Total{{Currency: "EUR", Seats: 7, YearlyCost: 16200, IdleYearlyCost: 9000}, {Currency: "USD", Seats: 3, YearlyCost: 900, IdleYearlyCost: 900}}
		if !reflect.DeepEqual(got.Totals, wantTotals) || got.Unpriced != 1 {
			t.Errorf("totals %s, unpriced %d", js(got.Totals), got.Unpriced)
		}
		status, body = e.do("GET", "/v1/teams/M/cost.csv", token, nil, nil)
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if status != 200 || err != nil || len(rows) != 9 || strings.Join(rows[0], ",") != "department,product,subscription,seats,yearly_cost,idle_yearly_cost,currency" ||
			strings.Join(rows[1], ",") != "(none),Revit,R1,1,3600.00,3600.00,EUR" || strings.Join(rows[5], ",") != "Design,AutoCAD,U1,1,,," {
			t.Errorf("cost.csv: %d %v %v", status, rows, err)
		}
		// A file without the price columns keeps the prices.
		parsed, err := license.Parse("subscriptions", strings.NewReader(testenv.Dates("subscription,team,product,type,seats,channel,start,end\nA1,M,AutoCAD,single-user,6,online,2026-01-01,2027-12-31\n")), catalog.Builtin())
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.Import(context.Background(), parsed); err != nil {
			t.Fatal(err)
		}
		_, body = e.do("GET", "/v1/teams/M/cost", token, nil, nil)
		json.Unmarshal(body, &got)
		if got.Totals[0] != (teams.Total{Currency: "EUR", Seats: 8, YearlyCost: 18000, IdleYearlyCost: 10800}) {
			t.Errorf("after an import without prices: %s", js(got.Totals))
		}
	})
}

func TestSeatHistory(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		token, days := seedMoney(t, e)
		status, body := e.do("GET", "/v1/teams/M/history?from="+days[0]+"&to="+days[1], token, nil, nil)
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		var got teams.History
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		want := []store.SeatDay{
			{Date: days[0], Subscription: "A1", Product: "AutoCAD", Seats: 5, Assigned: 3, Active: 2}, {Date: days[0], Subscription: "F1", Product: "AutoCAD", Seats: 3, Assigned: 1, Active: 0}, {Date: days[0], Subscription: "R1", Product: "Revit", Seats: 2, Assigned: 2, Active: 0}, {Date: days[0], Subscription: "U1", Product: "AutoCAD", Seats: 1, Assigned: 1, Active: 1},
			{Date: days[1], Subscription: "A1", Product: "AutoCAD", Seats: 5, Assigned: 3, Active: 1}, {Date: days[1], Subscription: "F1", Product: "AutoCAD", Seats: 3, Assigned: 1, Active: 0}, {Date: days[1], Subscription: "R1", Product: "Revit", Seats: 2, Assigned: 2, Active: 1}, {Date: days[1], Subscription: "U1", Product: "AutoCAD", Seats: 1, Assigned: 1, Active: 0},
		}
		if !reflect.DeepEqual(got.Rows, want) {
			t.Errorf("history\n got %s\nwant %s", js(got.Rows), js(want))
		}
		if status, _ := e.do("GET", "/v1/teams/M/history?from="+days[1]+"&to="+days[0], token, nil, nil); status != 400 {
			t.Errorf("from after to: %d", status)
		}
	})
}

func TestPriceCellsAreChecked(t *testing.T) {
	for _, tt := range []struct{ row, col string }{
		{"A,M,AutoCAD,single-user,1,online,2026-01-01,2027-01-01,12,50,EUR,annual", ""}, // a comma in the price: one cell too many
		{"A,M,AutoCAD,single-user,1,online,2026-01-01,2027-01-01,12.5,euro,annual", "currency"},
		{"A,M,AutoCAD,single-user,1,online,2026-01-01,2027-01-01,-3,EUR,annual", "price"},
		{"A,M,AutoCAD,single-user,1,online,2026-01-01,2027-01-01,3,EUR,weekly", "term"},
		{"A,M,AutoCAD,single-user,1,online,2026-01-01,2027-01-01,3,,annual", "currency"},
	} {
		_, err := license.Parse("subscriptions", strings.NewReader("subscription,team,product,type,seats,channel,start,end,price,currency,term\n"+tt.row+"\n"), catalog.Builtin())
		var ce *license.CellError
		if err == nil || (tt.col != "" && (!errorsAs(err, &ce) || ce.Column != tt.col || ce.Line != 2)) {
			t.Errorf("%s: %v", tt.row, err)
		}
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

func costRow(dept, product, sub string, seats int64, yearly, idle *float64, currency string) teams.CostRow {
	return teams.CostRow{Department: dept, Product: product, Subscription: sub, Seats: seats, YearlyCost: yearly, IdleYearlyCost: idle, Currency: currency}
}
