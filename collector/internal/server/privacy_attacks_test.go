package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/internal/testenv"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

// The attacks of a security review, each as an admin would try it through
// the API: reading one person's figures off a team's, and reaching what
// belongs to another team or to admins who may purchase.

// seedPrivacy: T1 has six settled AutoCAD users a1..a6 on S1 and an ended
// online subscription ENDED still held by a1; T2 has b1 on B1; pool holds
// no seat anywhere. Everyone has startup times and commands, and the daily
// job has computed today.
func seedPrivacy(t *testing.T, e *env) map[string]string {
	t.Helper()
	ctx := context.Background()
	people := []string{"a1", "a2", "a3", "a4", "a5", "a6", "b1", "pool"}
	users := "email,login,name\n"
	for _, p := range people {
		users += p + "@x.com," + p + "," + p + "\n"
	}
	assignments := "subscription,email,assigned_on\nENDED,a1@x.com,2025-01-05\nB1,b1@x.com,2026-01-05\n"
	for _, p := range people[:6] {
		assignments += "S1," + p + "@x.com,2026-01-05\n"
	}
	for _, f := range []struct{ kind, body string }{
		{"teams", "team,name,plan,user_management\nT1,One,premium,named\nT2,Two,premium,named\n"},
		{"users", users},
		{"subscriptions", "subscription,team,product,type,seats,channel,start,end\n" +
			"S1,T1,AutoCAD,single-user,10,online,2026-01-01,2027-12-31\n" +
			"ENDED,T1,AutoCAD,single-user,2,online,2025-01-01,2026-06-30\n" +
			"B1,T2,AutoCAD,single-user,3,online,2026-01-01,2027-12-31\n"},
		{"assignments", assignments},
	} {
		parsed, err := license.Parse(f.kind, strings.NewReader(testenv.Dates(f.body)), catalog.Builtin())
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.Import(ctx, parsed); err != nil {
			t.Fatal(err)
		}
	}
	_, tok := e.enroll()
	var days []wire.Day
	for i, p := range people {
		for back := 1; back <= 20; back += 4 {
			d := day(p, now.AddDate(0, 0, -back).Format(wire.DateLayout), 30)
			ms := int64(2000 + 731*i + 13*back)
			d.Analytics.StartupMS = &wire.Stat{Count: 1, Sum: ms, Min: ms, Max: ms}
			d.Analytics.Commands = map[string]*wire.Outcomes{"LINE": {Started: int64(5 + i), Completed: int64(5 + i)}, "ZOOM": {Started: int64(9 * i), Completed: int64(9 * i)}}
			days = append(days, d)
		}
	}
	if status, resp := e.do("POST", "/v1/usage", tok, batch(days...), nil); status != 200 {
		t.Fatal(status, string(resp))
	}
	if _, err := insights.Run(ctx, e.st, catalog.Builtin(), now.Format(wire.DateLayout), now); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for name, g := range map[string]store.Grant{
		"primary":   {Team: "T1", Email: "p@x.com", Role: "primary", CanPurchase: true},
		"secondary": {Team: "T1", Email: "s@x.com", Role: "secondary"},
	} {
		tok, err := e.st.CreateAdmin(ctx, g, time.Time{}, now)
		if err != nil {
			t.Fatal(err)
		}
		tokens[name] = tok
	}
	return tokens
}

// productFigures returns the product_performance and command_usage of a
// team's insights, as JSON, and its under-assignment of S1.
func (e *env) productFigures(token string) (figures string, s1Available int64) {
	e.t.Helper()
	status, body := e.do("GET", "/v1/teams/T1/insights", token, nil, nil)
	if status != 200 {
		e.t.Fatalf("insights: %d %s", status, body)
	}
	var snap struct {
		Insights    []json.RawMessage `json:"insights"`
		Unavailable []json.RawMessage `json:"unavailable"`
	}
	if err := json.Unmarshal(body, &snap); err != nil {
		e.t.Fatal(err)
	}
	var kept []string
	for _, raw := range append(snap.Insights, snap.Unavailable...) {
		var head struct {
			Kind         string `json:"kind"`
			Subscription string `json:"subscription"`
			Available    int64  `json:"available"`
		}
		json.Unmarshal(raw, &head)
		switch {
		case head.Kind == "product_performance" || head.Kind == "command_usage":
			kept = append(kept, string(raw))
		case head.Kind == "under_assignment" && head.Subscription == "S1":
			s1Available = head.Available
		}
	}
	return strings.Join(kept, "\n"), s1Available
}

// TestUnassigningOnePersonRevealsNothing: the differencing attack. An
// admin reads the team's figures, unassigns one user (or assigns someone
// for a moment) and reads again: the license findings change, the
// product figures do not.
func TestUnassigningOnePersonRevealsNothing(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedPrivacy(t, e)
		before, free := e.productFigures(tokens["primary"])
		if !strings.Contains(before, `"kind":"product_performance"`) || !strings.Contains(before, `"kind":"command_usage"`) {
			t.Fatalf("six settled users, yet no team figures:\n%s", before)
		}
		if status, body := e.do("DELETE", "/v1/teams/T1/assignments/S1/a6@x.com", tokens["primary"], nil, nil); status != 204 {
			t.Fatalf("unassign: %d %s", status, body)
		}
		after, freeAfter := e.productFigures(tokens["primary"])
		if freeAfter != free+1 {
			t.Errorf("the license findings were not recomputed: %d free seats, then %d", free, freeAfter)
		}
		if after != before {
			t.Errorf("unassigning one user changed the team's product figures:\nbefore %s\nafter  %s", before, after)
		}
		// Assigning someone for a moment shows nothing of them either.
		if status, body := e.do("POST", "/v1/teams/T1/assignments", tokens["primary"], []byte(`{"subscription":"S1","email":"pool@x.com"}`), nil); status != 201 {
			t.Fatalf("assign: %d %s", status, body)
		}
		if again, _ := e.productFigures(tokens["primary"]); again != before {
			t.Errorf("assigning one user changed the team's product figures:\nbefore %s\nafter  %s", before, again)
		}
	})
}

// TestAnotherTeamsPeopleAreOutOfReach: a team assigns only its own people
// and those who hold no seat anywhere; another team's person answers as
// an unknown email does, so the answer tells nothing about the directory.
func TestAnotherTeamsPeopleAreOutOfReach(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedPrivacy(t, e)
		assign := func(email string) (int, string) {
			status, body := e.do("POST", "/v1/teams/T1/assignments", tokens["primary"], []byte(`{"subscription":"S1","email":"`+email+`"}`), nil)
			return status, strings.ReplaceAll(string(body), email, "EMAIL")
		}
		otherStatus, other := assign("b1@x.com")
		unknownStatus, unknown := assign("nobody@x.com")
		if otherStatus != 404 || unknownStatus != 404 || other != unknown {
			t.Errorf("another team's person: %d %s; an unknown email: %d %s", otherStatus, other, unknownStatus, unknown)
		}
		if status, body := assign("pool@x.com"); status != 201 {
			t.Errorf("someone without a seat anywhere: %d %s", status, body)
		}
		status, body := e.do("GET", "/v1/teams/T1/usage.csv", tokens["primary"], nil, nil)
		if status != 200 || strings.Contains(string(body), "b1@x.com") {
			t.Errorf("usage of T1 shows another team's person: %d %s", status, body)
		}
	})
}

// TestEndedSubscriptionStaysHidden: an over-assigned subscription is for
// admins who may purchase, on every day they can ask about; nobody may
// give it new seats.
func TestEndedSubscriptionStaysHidden(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedPrivacy(t, e)
		before := testenv.Date("2026-06-01") // ENDED was still running then
		for _, path := range []string{"/v1/teams/T1?as_of=" + before, "/v1/teams/T1", "/v1/teams/T1/usage.csv?as_of=" + before,
			"/v1/teams/T1/insights?as_of=" + before, "/v1/teams/T1/insights.csv?as_of=" + before} {
			status, body := e.do("GET", path, tokens["secondary"], nil, nil)
			if status != 200 || strings.Contains(string(body), "ENDED") {
				t.Errorf("%s shows an admin without purchase permission the ended subscription: %d %.400s", path, status, body)
			}
		}
		if status, body := e.do("GET", "/v1/teams/T1?as_of="+before, tokens["primary"], nil, nil); status != 200 || !strings.Contains(string(body), "ENDED") {
			t.Errorf("the admin who may purchase does not see it: %d %s", status, body)
		}
		// Probing it answers as a subscription that does not exist.
		probes := []struct{ method, path, body string }{
			{"POST", "/v1/teams/T1/assignments", `{"subscription":"ENDED","email":"pool@x.com"}`},
			{"DELETE", "/v1/teams/T1/assignments/ENDED/a1@x.com", ""},
		}
		for _, p := range probes {
			if status, body := e.do(p.method, p.path, tokens["secondary"], []byte(p.body), nil); status != 404 {
				t.Errorf("%s %s by an admin without purchase permission: %d %s", p.method, p.path, status, body)
			}
		}
		status, body := e.do("GET", "/v1/teams/T1/audit", tokens["primary"], nil, nil)
		if status != 200 || strings.Contains(string(body), "ENDED") {
			t.Errorf("the probes left traces in the audit: %d %s", status, body)
		}
		// An ended subscription takes no new seat, whoever asks.
		if status, body := e.do("POST", "/v1/teams/T1/assignments", tokens["primary"], []byte(`{"subscription":"ENDED","email":"pool@x.com"}`), nil); status != 409 {
			t.Errorf("a seat of an ended subscription: %d %s", status, body)
		}
	})
}

// TestGuessingTokensIsSlowedDown: wrong admin tokens and enroll secrets
// from one client are counted; past the limit the client gets 429, even
// with a right one, until the window has passed.
func TestGuessingTokensIsSlowedDown(t *testing.T) {
	e := newEnv(t, storetest.SQLiteDSN(t), 0)
	tokens := seedPrivacy(t, e)
	for i := 0; i < 20; i++ {
		if status, _ := e.do("GET", "/v1/teams", fmt.Sprintf("guess-%d", i), nil, nil); status != 401 {
			t.Fatalf("guess %d: %d", i, status)
		}
	}
	if status, _ := e.do("GET", "/v1/teams", tokens["primary"], nil, nil); status != 429 {
		t.Errorf("the right token after 20 wrong ones: %d, want 429", status)
	}
	if status, _ := e.do("POST", "/v1/enroll", "", []byte(`{"enroll_secret":"s3cret","hostname":"ws"}`), nil); status != 429 {
		t.Errorf("enroll from a blocked client: %d, want 429", status)
	}
}

// TestReadOnlyTokensChangeNothing: a read-only token of a primary admin
// reads the team and changes nothing; every token shows when it was last
// used.
func TestReadOnlyTokensChangeNothing(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		seedPrivacy(t, e)
		ctx := context.Background()
		tok, id, err := e.st.MintToken(ctx, "p@x.com", "T1", "test", true, time.Time{}, now)
		if err != nil {
			t.Fatal(err)
		}
		if status, body := e.do("GET", "/v1/teams/T1/insights", tok, nil, nil); status != 200 {
			t.Errorf("read-only token reads: %d %s", status, body)
		}
		if status, body := e.do("DELETE", "/v1/teams/T1/assignments/S1/a1@x.com", tok, nil, nil); status != 403 || !strings.Contains(string(body), "read-only") {
			t.Errorf("read-only token unassigns: %d %s", status, body)
		}
		if status, _ := e.do("POST", "/v1/teams/T1/assignments", tok, []byte(`{"subscription":"S1","email":"pool@x.com"}`), nil); status != 403 {
			t.Errorf("read-only token assigns: %d", status)
		}
		toks, err := e.st.Tokens(ctx, []string{"p@x.com"})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range toks {
			if x.ID == id && (x.LastUsedAt == "" || !x.ReadOnly) {
				t.Errorf("token %+v: last use or scope not recorded", x)
			}
		}
	})
}
