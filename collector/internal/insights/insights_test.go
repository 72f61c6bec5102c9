package insights_test

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
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

const asOf = "2026-06-30"

// day returns as_of shifted by n days.
func day(n int) string {
	t, _ := time.Parse(license.DateLayout, asOf)
	return t.AddDate(0, 0, n).Format(license.DateLayout)
}

// world builds a license picture and usage in a real store.
type world struct {
	t      *testing.T
	st     *store.Store
	device string
}

func newWorld(t *testing.T, dsn string) *world {
	t.Helper()
	st := storetest.Open(t, dsn)
	id, _, err := st.Enroll(context.Background(), "ws1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, st: st, device: id}
}

// load imports CSV bodies (header lines included) of each kind in order.
func (w *world) load(kind, body string) {
	w.t.Helper()
	f, err := license.Parse(kind, strings.NewReader(body), catalog.Builtin())
	if err != nil {
		w.t.Fatalf("parse %s: %v", kind, err)
	}
	if err := w.st.Import(context.Background(), f); err != nil {
		w.t.Fatalf("import %s: %v", kind, err)
	}
}

func (w *world) days(days ...wire.Day) {
	w.t.Helper()
	if err := w.st.PutDays(context.Background(), w.device, days, time.Now()); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) snapshot(team string) insights.Snapshot {
	w.t.Helper()
	snaps, err := insights.Run(context.Background(), w.st, catalog.Builtin(), asOf, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	for _, s := range snaps {
		if s.Team == team {
			// Round-trip through JSON as the API serves it.
			body, err := w.st.Snapshot(context.Background(), team, asOf)
			if err != nil {
				w.t.Fatal(err)
			}
			var back insights.Snapshot
			if err := json.Unmarshal(body, &back); err != nil || back.Team != team || back.AsOf != asOf {
				w.t.Fatalf("stored snapshot %s: %v", body, err)
			}
			return s
		}
	}
	w.t.Fatalf("no snapshot for team %s", team)
	return insights.Snapshot{}
}

func use(user, product, version, date string) wire.Day {
	return wire.Day{Date: date, User: user, Product: product, Version: version, Minutes: 10, Sessions: 1}
}

func ofKind[T any](s insights.Snapshot) []T {
	var zero T
	switch any(zero).(type) {
	case insights.UnderAssignment:
		return any(s.Insights.UnderAssignment).([]T)
	case insights.OverAssignment:
		return any(s.Insights.OverAssignment).([]T)
	case insights.InactiveUser:
		return any(s.Insights.InactiveUser).([]T)
	case insights.ProductVersion:
		return any(s.Insights.ProductVersion).([]T)
	case insights.ProductPerformance:
		return any(s.Insights.ProductPerformance).([]T)
	case insights.CommandUsage:
		return any(s.Insights.CommandUsage).([]T)
	}
	panic("ofKind: not an insight type")
}

func forEngines(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, newWorld(t, e.DSN(t))) })
	}
}

const teams = "team,name,plan,user_management\nT1,One,premium,named\nT2,Two,premium,named\n"

func users(n int) string {
	var b strings.Builder
	b.WriteString("email,login,name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "u%d@x.com,u%d,User %d\n", i, i, i)
	}
	return b.String()
}

func TestUnderAssignment(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", teams)
		w.load("users", users(4))
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
			"starts,T1,AutoCAD,single-user,3,online,"+asOf+","+day(30)+"\n"+ // start == as_of: active
			"ends,T1,AutoCAD,single-user,3,online,"+day(-30)+","+asOf+"\n"+ // end == as_of: active
			"future,T1,AutoCAD,single-user,3,online,"+day(1)+","+day(30)+"\n"+
			"past,T1,AutoCAD,single-user,3,reseller,"+day(-60)+","+day(-1)+"\n"+
			"full,T1,Revit,single-user,2,online,"+day(-60)+","+day(60)+"\n")
		w.load("assignments", "subscription,email,assigned_on\n"+
			"starts,u1@x.com,"+asOf+"\n"+ // assigned on as_of counts
			"starts,u2@x.com,"+day(1)+"\n"+ // assigned after as_of does not
			"full,u1@x.com,"+day(-5)+"\n"+
			"full,u2@x.com,"+day(-5)+"\n")
		got := ofKind[insights.UnderAssignment](w.snapshot("T1"))
		want := []insights.UnderAssignment{
			{Kind: "under_assignment", Subscription: "ends", Product: "AutoCAD", Seats: 3, Assigned: 0, Available: 3},
			{Kind: "under_assignment", Subscription: "starts", Product: "AutoCAD", Seats: 3, Assigned: 1, Available: 2},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
}

func TestOverAssignment(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", teams)
		w.load("users", users(3))
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
			"ended,T1,AutoCAD,single-user,3,online,"+day(-300)+","+day(-1)+"\n"+
			"endstoday,T1,AutoCAD,single-user,3,online,"+day(-300)+","+asOf+"\n"+
			"reseller,T1,AutoCAD,single-user,3,reseller,"+day(-300)+","+day(-1)+"\n"+
			"empty,T1,AutoCAD,single-user,3,online,"+day(-300)+","+day(-1)+"\n")
		w.load("assignments", "subscription,email,assigned_on\n"+
			"ended,u3@x.com,"+day(-200)+"\n"+
			"ended,u1@x.com,"+day(-200)+"\n"+
			"endstoday,u1@x.com,"+day(-200)+"\n"+
			"reseller,u1@x.com,"+day(-200)+"\n")
		got := ofKind[insights.OverAssignment](w.snapshot("T1"))
		want := []insights.OverAssignment{{Kind: "over_assignment", Subscription: "ended", Product: "AutoCAD", EndedOn: day(-1), Users: []string{"u1@x.com", "u3@x.com"}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
}

func TestInactiveUser(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", teams)
		w.load("users", users(6))
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
			"S1,T1,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n"+
			"old,T1,Revit,single-user,10,online,"+day(-400)+","+day(-1)+"\n")
		w.load("assignments", "subscription,email,assigned_on\n"+
			"S1,u1@x.com,"+day(-90)+"\n"+ // never used: inactive, last_used null
			"S1,u2@x.com,"+day(-90)+"\n"+ // used on the window's first day: active
			"S1,u3@x.com,"+day(-90)+"\n"+ // used the day before the window: inactive
			"S1,u4@x.com,"+day(-89)+"\n"+ // assigned on the window's first day: too new
			"S1,u5@x.com,"+day(-200)+"\n"+ // used only after as_of: inactive, null
			"old,u6@x.com,"+day(-200)+"\n") // subscription no longer active
		w.days(
			use("u2", "AutoCAD", "2027.1", day(-89)),
			use("u3", "AutoCAD", "2027.1", day(-90)),
			use("u3", "Revit", "2027", day(-10)), // another product does not count
			use("u5", "AutoCAD", "2027.1", day(1)),
		)
		got := ofKind[insights.InactiveUser](w.snapshot("T1"))
		last := day(-90)
		want := []insights.InactiveUser{
			{Kind: "inactive_user", Product: "AutoCAD", User: "u1@x.com"},
			{Kind: "inactive_user", Product: "AutoCAD", User: "u3@x.com", LastUsed: &last},
			{Kind: "inactive_user", Product: "AutoCAD", User: "u5@x.com"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %s\nwant %s", js(got), js(want))
		}
	})
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestProductVersion(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", teams)
		w.load("users", users(4))
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
			"S1,T1,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n"+
			"S2,T1,Revit,single-user,10,online,"+day(-400)+","+day(400)+"\n"+
			"P,T2,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n")
		w.load("assignments", "subscription,email,assigned_on\n"+
			"S1,u1@x.com,"+day(-100)+"\nS1,u2@x.com,"+day(-100)+"\nS2,u1@x.com,"+day(-100)+"\nS2,u2@x.com,"+day(-100)+"\nP,u4@x.com,"+day(-100)+"\n")
		var days []wire.Day
		// AutoCAD: u1 and u2 on 50 days each with 2027.1 = 100 user-days.
		for i := 0; i < 50; i++ {
			days = append(days, use("u1", "AutoCAD", "2027.1", day(-i)), use("u2", "AutoCAD", "2027.1", day(-i)))
		}
		// 2025 on a day u1 also used 2027.1: 1 of 100 user-days = exactly 1%, not reported.
		days = append(days, use("u1", "AutoCAD", "2025", day(0)))
		// Revit: u1 and u2 on 88 days each with 2027, and u1 on 1 more day (the
		// window's first) with 2024: 1 of 177 < 1%, reported. The day before the
		// window does not count.
		for i := 0; i < 88; i++ {
			days = append(days, use("u1", "Revit", "2027", day(-i)), use("u2", "Revit", "2027", day(-i)))
		}
		days = append(days, use("u1", "Revit", "2024", day(-89)), use("u1", "Revit", "2023", day(-90)))
		// Another team's user of an old version is not this team's finding.
		days = append(days, use("u4", "AutoCAD", "2019", day(-3)))
		w.days(days...)
		got := ofKind[insights.ProductVersion](w.snapshot("T1"))
		want := []insights.ProductVersion{{Kind: "product_version", Product: "Revit", Version: "2024", DaysUsed: 1, Share: 1.0 / 177, Users: []string{"u1@x.com"}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %s\nwant %s", js(got), js(want))
		}
	})
}

func TestProductVersionBelowOnePercent(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", teams)
		w.load("users", users(2))
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\nS1,T1,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n")
		w.load("assignments", "subscription,email,assigned_on\nS1,u1@x.com,"+day(-100)+"\nS1,u2@x.com,"+day(-100)+"\n")
		var days []wire.Day
		for i := 0; i < 50; i++ {
			days = append(days, use("u1", "AutoCAD", "2027.1", day(-i)), use("u2", "AutoCAD", "2027.1", day(-i)))
		}
		days = append(days, use("u2", "AutoCAD", "2025", day(-60))) // a day of its own: 1 of 101
		w.days(days...)
		got := ofKind[insights.ProductVersion](w.snapshot("T1"))
		want := []insights.ProductVersion{{Kind: "product_version", Product: "AutoCAD", Version: "2025", DaysUsed: 1, Share: 1.0 / 101, Users: []string{"u2@x.com"}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %s\nwant %s", js(got), js(want))
		}
	})
}

func perfDay(user, date string, startupMS int64, n int64) wire.Day {
	d := use(user, "AutoCAD", "2027.1", date)
	d.Analytics = &wire.Analytics{StartupMS: &wire.Stat{Count: n, Sum: startupMS * n, Min: startupMS, Max: startupMS}}
	return d
}

func TestProductPerformance(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", teams)
		w.load("users", users(9))
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
			"S1,T1,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n"+
			"P,T2,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n")
		w.load("assignments", "subscription,email,assigned_on\n"+
			"S1,u1@x.com,"+day(-100)+"\nS1,u3@x.com,"+day(-100)+"\nS1,u5@x.com,"+day(-100)+"\nS1,u7@x.com,"+day(-90)+"\nS1,u8@x.com,"+day(-100)+"\n"+
			"S1,u9@x.com,"+day(-89)+"\n"+ // assigned on the window's first day: not settled
			"P,u2@x.com,"+day(-100)+"\n")
		w.days(
			// u1's mean is (1*500 + 3*1166.67)/4 ≈ 1000: per-user means weigh by count.
			perfDay("u1", day(0), 500, 1), perfDay("u1", day(-1), 1000, 1), perfDay("u1", day(-2), 1500, 1), perfDay("u1", day(-3), 1000, 1),
			perfDay("u2", day(-89), 2000, 2), // first day of the window counts
			perfDay("u3", day(-5), 3000, 1),
			perfDay("u4", day(-5), 4000, 1),
			perfDay("u5", day(-5), 5000, 1),
			perfDay("u7", day(-5), 6000, 1),
			perfDay("u8", day(-5), 7013, 1),
			perfDay("u9", day(-5), 8000, 1),
			perfDay("u6", day(-90), 100000, 1),    // before the window: ignored
			perfDay("nobody", day(-5), 100000, 1), // unmatched: ignored
		)
		s := w.snapshot("T1")
		got := ofKind[insights.ProductPerformance](s)
		// Eight users collector-wide: p25 at rank 1.75, p50 at 3.5, p75 at
		// 5.25. The team's five settled users (not u9) are placed among
		// them, and their mean 4402.6 is published to the nearest 10 ms.
		mean := 4400.0
		want := []insights.ProductPerformance{{Kind: "product_performance", Product: "AutoCAD", Metric: "startup",
			P25: 2750, P50: 4500, P75: 6253.25, UsersByQuartile: [4]int{1, 1, 2, 1}, TeamMeanMS: &mean}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %s\nwant %s", js(got), js(want))
		}
		if !hasUnavailable(s, "product_performance", "save") {
			t.Errorf("save metric with no data not listed unavailable: %s", js(s.Unavailable))
		}
	})
}

// The attack of a one-person team: five users collector-wide pass the
// collector's gate, but the team's figures would be its one user's.
func TestTeamFiguresNeedFiveSettledUsers(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", teams)
		w.load("users", users(9))
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\nS1,T1,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n")
		// One settled user, and four who joined inside the window.
		w.load("assignments", "subscription,email,assigned_on\nS1,u1@x.com,"+day(-100)+"\n"+
			"S1,u2@x.com,"+day(-30)+"\nS1,u3@x.com,"+day(-30)+"\nS1,u4@x.com,"+day(-1)+"\nS1,u5@x.com,"+day(0)+"\n")
		var days []wire.Day
		for i, u := range []string{"u1", "u2", "u3", "u4", "u5", "u6"} {
			d := perfDay(u, day(-40), int64(1000*(i+1)), 1)
			d.Analytics.Commands = map[string]*wire.Outcomes{"LINE": {Started: 3, Completed: 3}}
			days = append(days, d)
		}
		w.days(days...)
		s := w.snapshot("T1")
		if got := ofKind[insights.ProductPerformance](s); len(got) != 0 {
			t.Errorf("a team of one settled user shows performance: %s", js(got))
		}
		if got := ofKind[insights.CommandUsage](s); len(got) != 0 {
			t.Errorf("a team of one settled user shows commands: %s", js(got))
		}
		if !hasUnavailable(s, "product_performance", "startup") {
			t.Errorf("performance not listed unavailable: %s", js(s.Unavailable))
		}
		found := false
		for _, u := range s.Unavailable {
			found = found || (u.Kind == "command_usage" && u.Product == "AutoCAD" && strings.Contains(u.Reason, "1 of the 5"))
		}
		if !found {
			t.Errorf("command_usage not listed unavailable with its reason: %s", js(s.Unavailable))
		}
	})
}

func TestProductPerformanceNeedsFiveUsers(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", teams)
		w.load("users", users(5))
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\nS1,T1,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n")
		w.load("assignments", "subscription,email,assigned_on\nS1,u1@x.com,"+day(-100)+"\n")
		w.days(perfDay("u1", day(0), 1, 1), perfDay("u2", day(0), 2, 1), perfDay("u3", day(0), 3, 1), perfDay("u4", day(0), 4, 1),
			perfDay("u5", day(-90), 5, 1)) // the fifth user's data is outside the window
		s := w.snapshot("T1")
		if got := ofKind[insights.ProductPerformance](s); len(got) != 0 {
			t.Errorf("performance shown with 4 users: %s", js(got))
		}
		if !hasUnavailable(s, "product_performance", "startup") {
			t.Errorf("not listed unavailable: %s", js(s.Unavailable))
		}
	})
}

func hasUnavailable(s insights.Snapshot, kind, metric string) bool {
	for _, u := range s.Unavailable {
		if u.Kind == kind && u.Metric == metric && u.Reason != "" {
			return true
		}
	}
	return false
}

func cmdDay(user, date string, completed map[string]int64) wire.Day {
	d := use(user, "AutoCAD", "2027.1", date)
	d.Analytics = &wire.Analytics{Commands: map[string]*wire.Outcomes{}}
	for name, n := range completed {
		d.Analytics.Commands[name] = &wire.Outcomes{Started: n + 1, Completed: n, Canceled: 1}
	}
	return d
}

func TestCommandUsage(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", teams)
		w.load("users", users(8))
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
			"S1,T1,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n"+
			"P,T2,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n")
		w.load("assignments", "subscription,email,assigned_on\n"+
			"S1,u1@x.com,"+day(-100)+"\nS1,u3@x.com,"+day(-100)+"\nS1,u5@x.com,"+day(-100)+"\nS1,u6@x.com,"+day(-100)+"\nS1,u7@x.com,"+day(-100)+"\n"+
			"S1,u8@x.com,"+day(-10)+"\n"+ // joined inside the window: neither the team's figure nor a peer
			"P,u2@x.com,"+day(-100)+"\n")
		w.days(
			cmdDay("u1", day(0), map[string]int64{"LINE": 40, "MOVE": 20, "FOOBAR": 20}),
			cmdDay("u1", day(-89), map[string]int64{"CIRCLE": 20}),
			cmdDay("u1", day(-90), map[string]int64{"ZOOM": 500}), // outside the window
			cmdDay("u3", day(-3), map[string]int64{"LINE": 1}),
			cmdDay("u5", day(-3), map[string]int64{"LINE": 1}),
			cmdDay("u6", day(-3), map[string]int64{"MOVE": 1}),
			cmdDay("u7", day(-3), map[string]int64{"LAYER": 1}),
			cmdDay("u8", day(-3), map[string]int64{"LINE": 7}),
			cmdDay("u2", day(-1), map[string]int64{"LINE": 1, "MOVE": 3}),
			cmdDay("u4", day(-1), map[string]int64{"LAYER": 4}),         // matched, in no team: still a peer
			cmdDay("stranger", day(-1), map[string]int64{"LAYER": 100}), // unmatched: nobody's peer
		)
		got := ofKind[insights.CommandUsage](w.snapshot("T1"))
		// The team's 104 commands: Draw 62, Modify 21, Other 20, Layers 1,
		// published to the nearest 10 with shares to 0.001. Peers (u2, u4):
		// Draw 1, Modify 3, Layers 4 of 8.
		want := []insights.CommandUsage{{Kind: "command_usage", Product: "AutoCAD", Categories: []insights.CategoryShare{
			{Category: "Draw", Count: 60, Share: 0.596, PeerShare: 0.125},
			{Category: "Modify", Count: 20, Share: 0.202, PeerShare: 0.375},
			{Category: "Other", Count: 20, Share: 0.192, PeerShare: 0},
			{Category: "Layers", Count: 0, Share: 0.01, PeerShare: 0.5},
		}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %s\nwant %s", js(got), js(want))
		}
	})
}

func TestGating(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", "team,name,plan,user_management\nC,Classic,premium,classic\nM,Multi,premium,named\nS,Std,standard,named\n")
		w.load("users", users(2))
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
			"c1,C,AutoCAD,single-user,5,online,"+day(-400)+","+day(400)+"\n"+
			"m1,M,AutoCAD,multi-user,5,online,"+day(-400)+","+day(400)+"\n"+
			"s1,S,AutoCAD,flex,5,online,"+day(-400)+","+day(400)+"\n")
		w.load("assignments", "subscription,email,assigned_on\ns1,u1@x.com,"+day(-200)+"\n")
		for _, team := range []string{"C", "M"} {
			s := w.snapshot(team)
			if s.Insights.Len() != 0 || len(s.Unavailable) == 0 {
				t.Errorf("team %s: insights %s unavailable %s", team, js(s.Insights), js(s.Unavailable))
			}
			if b, _ := json.Marshal(s); !strings.Contains(string(b), `"insights":[]`) {
				t.Errorf("team %s: insights not an empty list: %s", team, b)
			}
		}
		s := w.snapshot("S")
		for _, kind := range []string{"inactive_user", "product_version"} {
			found := false
			for _, u := range s.Unavailable {
				found = found || (u.Kind == kind && u.Reason == "premium plan required")
			}
			if !found {
				t.Errorf("standard team: %s not unavailable: %s", kind, js(s.Unavailable))
			}
		}
		if got := ofKind[insights.InactiveUser](s); len(got) != 0 {
			t.Errorf("standard team got inactive users %s", js(got))
		}
		if got := ofKind[insights.UnderAssignment](s); len(got) != 1 {
			t.Errorf("standard team should still get under_assignment: %s", js(s.Insights))
		}
	})
}

func TestUserMatching(t *testing.T) {
	forEngines(t, func(t *testing.T, w *world) {
		w.load("teams", teams)
		w.load("users", "email,login,name\njdoe@x.com,JDoe,J\nasmith@x.com,CORP\\asmith,A\n")
		w.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\nS1,T1,AutoCAD,single-user,10,online,"+day(-400)+","+day(400)+"\n")
		w.load("assignments", "subscription,email,assigned_on\nS1,jdoe@x.com,"+day(-100)+"\nS1,asmith@x.com,"+day(-100)+"\n")
		w.days(use(`CORP\jdoe`, "AutoCAD", "2027.1", day(0)), use("ASMITH", "AutoCAD", "2027.1", day(-1)), use("ghost", "AutoCAD", "2027.1", day(-1)))
		if got := ofKind[insights.InactiveUser](w.snapshot("T1")); len(got) != 0 {
			t.Errorf("DOMAIN\\ or case-insensitive usage not matched: %s", js(got))
		}
	})
}

func TestPercentileMatchesPercentileCont(t *testing.T) {
	tests := []struct {
		vals []float64
		p    float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, 0.25, 1.75},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{1, 2, 3, 4}, 0.75, 3.25},
		{[]float64{10}, 0.75, 10},
		{[]float64{1, 2, 3, 4, 5}, 0.25, 2},
	}
	for _, tt := range tests {
		if got := insights.Percentile(tt.vals, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.vals, tt.p, got, tt.want)
		}
	}
}
