package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/shared/catalog"
)

// adminRoutes is every admin route, for checks that hold on each.
var adminRoutes = []struct{ method, path, body string }{
	{"GET", "/v1/teams", ""},
	{"GET", "/v1/teams/T1", ""},
	{"GET", "/v1/teams/T1/insights", ""},
	{"GET", "/v1/teams/T1/insights.csv", ""},
	{"GET", "/v1/teams/T1/usage.csv", ""},
	{"GET", "/v1/teams/T1/audit", ""},
	{"POST", "/v1/teams/T1/assignments", `{"subscription":"S1","email":"a@x.com"}`},
	{"DELETE", "/v1/teams/T1/assignments/OLD/jdoe@x.com", ""},
}

func importUsers(t *testing.T, e *env, body string) {
	t.Helper()
	f, err := license.Parse("users", strings.NewReader(body), catalog.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.Import(context.Background(), f); err != nil {
		t.Fatal(err)
	}
}

func TestRevokedAndExpiredTokensAre401Everywhere(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tokens := seedTeams(t, e)
		expired, err := e.st.CreateAdmin(ctx, store.Grant{Team: "T1", Email: "late@x.com", Role: "primary", CanPurchase: true}, now.Add(-time.Minute), now.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.st.RevokeTokens(ctx, "p@x.com", now); err != nil || n != 1 {
			t.Fatalf("revoke: %d %v", n, err)
		}
		for _, r := range adminRoutes {
			for name, tok := range map[string]string{"revoked": tokens["primary"], "expired": expired} {
				if status, body := e.do(r.method, r.path, tok, []byte(r.body), nil); status != 401 {
					t.Errorf("%s token, %s %s: %d %s", name, r.method, r.path, status, body)
				}
			}
		}
		// Revoking one admin leaves the others alone.
		if status, body := e.do("GET", "/v1/teams/T1/insights", tokens["secondary"], nil, nil); status != 200 {
			t.Errorf("secondary after primary's revocation: %d %s", status, body)
		}
	})
}

func TestTeamsListsEveryTeamOfTheToken(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tokens := seedTeams(t, e)
		first, err := e.st.CreateAdmin(ctx, store.Grant{Team: "T1", Email: "multi@x.com", Role: "sso"}, time.Time{}, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.CreateAdmin(ctx, store.Grant{Team: "T2", Email: "Multi@x.com", Role: "secondary"}, time.Time{}, now); err != nil {
			t.Fatal(err)
		}
		list := func(tok string) string {
			t.Helper()
			status, body := e.do("GET", "/v1/teams", tok, nil, nil)
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			var r struct {
				Teams []struct{ Team, Role string }
			}
			json.Unmarshal(body, &r)
			var out []string
			for _, x := range r.Teams {
				out = append(out, x.Team+":"+x.Role)
			}
			return strings.Join(out, ",")
		}
		if got := list(first); got != "T1:sso,T2:secondary" {
			t.Errorf("multi-team admin's first token lists %q", got)
		}
		if got := list(tokens["user"]); got != "" {
			t.Errorf("role user may read no team, listed %q", got)
		}
		for _, team := range []string{"T1", "T2"} {
			if status, body := e.do("GET", "/v1/teams/"+team+"/insights", first, nil, nil); status != 200 {
				t.Errorf("one token for every team: %s %d %s", team, status, body)
			}
		}
	})
}

// available returns S1's free seats in the latest insights, -1 when S1 is
// not under-assigned.
func available(t *testing.T, e *env, tok string) (int, bool) {
	t.Helper()
	status, body := e.do("GET", "/v1/teams/T1/insights", tok, nil, nil)
	if status != 200 {
		t.Fatalf("insights: %d %s", status, body)
	}
	var s struct {
		AsOf     string `json:"as_of"`
		Insights []struct {
			Kind, Subscription string
			Available          int
		}
	}
	json.Unmarshal(body, &s)
	free, over := -1, false
	for _, i := range s.Insights {
		if i.Kind == "under_assignment" && i.Subscription == "S1" {
			free = i.Available
		}
		over = over || i.Kind == "over_assignment"
	}
	return free, over
}

func TestAssignmentsRolesStatusesAuditAndInsights(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedTeams(t, e)
		importUsers(t, e, "email,login,name\na@x.com,a,A\nb@x.com,b,B\nc@x.com,c,C\n")
		if free, over := available(t, e, tokens["primary"]); free != 2 || !over {
			t.Fatalf("before: free %d over %v", free, over)
		}
		post := func(tok, sub, email string) int {
			t.Helper()
			status, body := e.do("POST", "/v1/teams/T1/assignments", tok, []byte(`{"subscription":"`+sub+`","email":"`+email+`"}`), nil)
			if status >= 500 {
				t.Fatalf("%d %s", status, body)
			}
			return status
		}
		for _, tt := range []struct {
			name, token, sub, email string
			want                    int
		}{
			{"sso may not", tokens["sso"], "S1", "a@x.com", 403},
			{"user may not", tokens["user"], "S1", "a@x.com", 403},
			{"other team", tokens["other"], "S1", "a@x.com", 403},
			{"secondary may", tokens["secondary"], "S1", "a@x.com", 201},
			{"already held", tokens["primary"], "S1", "a@x.com", 409},
			{"unknown user", tokens["primary"], "S1", "nobody@x.com", 404},
			{"another team's subscription", tokens["primary"], "S2", "b@x.com", 404},
			{"unknown subscription", tokens["primary"], "S9", "b@x.com", 404},
			{"last seat", tokens["primary"], "S1", "B@x.com", 201},
			{"no free seat", tokens["primary"], "S1", "c@x.com", 409},
		} {
			if got := post(tt.token, tt.sub, tt.email); got != tt.want {
				t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
			}
		}
		if status, _ := e.do("POST", "/v1/teams/T1/assignments", tokens["primary"], []byte(`{"subscription":"S1"}`), nil); status != 400 {
			t.Errorf("no email: %d", status)
		}
		// S1 is full now: its under_assignment is gone from the next read.
		if free, _ := available(t, e, tokens["primary"]); free != -1 {
			t.Errorf("S1 full but under_assignment shows %d free", free)
		}
		del := func(tok, path string) int {
			t.Helper()
			status, _ := e.do("DELETE", "/v1/teams/T1/assignments/"+path, tok, nil, nil)
			return status
		}
		if got := del(tokens["sso"], "OLD/jdoe@x.com"); got != 403 {
			t.Errorf("sso unassign: %d", got)
		}
		if got := del(tokens["primary"], "OLD/jdoe@x.com"); got != 204 {
			t.Errorf("unassign: %d", got)
		}
		if got := del(tokens["primary"], "OLD/jdoe@x.com"); got != 404 {
			t.Errorf("unassign twice: %d", got)
		}
		if got := del(tokens["primary"], "S2/jdoe@x.com"); got != 404 {
			t.Errorf("unassign a seat of another team's subscription: %d", got)
		}
		if _, over := available(t, e, tokens["primary"]); over {
			t.Error("over_assignment still shown after its last seat was unassigned")
		}
		if got := del(tokens["secondary"], "S1/a@x.com"); got != 204 {
			t.Errorf("secondary unassign: %d", got)
		}
		if free, _ := available(t, e, tokens["primary"]); free != 1 {
			t.Errorf("after unassigning a: %d free, want 1", free)
		}
		status, body := e.do("GET", "/v1/teams/T1/audit", tokens["sso"], nil, nil)
		if status != 200 {
			t.Fatalf("audit: %d %s", status, body)
		}
		var log struct{ Entries []store.AuditEntry }
		json.Unmarshal(body, &log)
		var got []string
		for _, x := range log.Entries {
			if x.At == "" {
				t.Errorf("audit entry without time: %+v", x)
			}
			if x.Action == store.ActionTokenMint {
				continue // the fixture's grants, each minting a token
			}
			got = append(got, x.Actor+" "+x.Action+" "+x.Subscription+" "+x.Email)
		}
		want := "s@x.com unassign S1 a@x.com|p@x.com unassign OLD jdoe@x.com|p@x.com assign S1 b@x.com|s@x.com assign S1 a@x.com"
		if strings.Join(got, "|") != want {
			t.Errorf("audit, newest first:\n got %s\nwant %s", strings.Join(got, "|"), want)
		}
		if status, _ := e.do("GET", "/v1/teams/T1/audit", tokens["user"], nil, nil); status != 403 {
			t.Errorf("user reads audit: %d", status)
		}
		if status, _ := e.do("GET", "/v1/teams/T1/audit", tokens["other"], nil, nil); status != 403 {
			t.Errorf("other team reads audit: %d", status)
		}
	})
}

func TestTeamPictureHidesOverAssignmentWithoutPurchase(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedTeams(t, e)
		subs := func(tok string) string {
			t.Helper()
			status, body := e.do("GET", "/v1/teams/T1", tok, nil, nil)
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			var l struct {
				Subscriptions []struct{ Subscription string }
			}
			json.Unmarshal(body, &l)
			var out []string
			for _, s := range l.Subscriptions {
				out = append(out, s.Subscription)
			}
			return strings.Join(out, ",")
		}
		if got := subs(tokens["primary"]); got != "OLD,S1" {
			t.Errorf("purchasing admin sees %q", got)
		}
		for _, name := range []string{"secondary", "sso"} {
			if got := subs(tokens[name]); got != "S1" {
				t.Errorf("%s without purchase permission sees %q", name, got)
			}
		}
	})
}

// TestEveryRoleOnEveryAdminRoute is the API's role matrix. Changes that
// succeed are undone by the next row, so each role starts from the same
// picture.
func TestEveryRoleOnEveryAdminRoute(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedTeams(t, e)
		importUsers(t, e, "email,login,name\na@x.com,a,A\n")
		routes := []struct{ name, method, path, body string }{
			{"teams", "GET", "/v1/teams", ""},
			{"team", "GET", "/v1/teams/T1", ""},
			{"insights", "GET", "/v1/teams/T1/insights", ""},
			{"insights.csv", "GET", "/v1/teams/T1/insights.csv", ""},
			{"usage.csv", "GET", "/v1/teams/T1/usage.csv", ""},
			{"audit", "GET", "/v1/teams/T1/audit", ""},
			{"assign", "POST", "/v1/teams/T1/assignments", `{"subscription":"S1","email":"a@x.com"}`},
			{"unassign", "DELETE", "/v1/teams/T1/assignments/S1/a@x.com", ""},
		}
		read := map[string]int{"teams": 200, "team": 200, "insights": 200, "insights.csv": 200, "usage.csv": 200, "audit": 200}
		change := map[string]int{"assign": 201, "unassign": 204}
		want := map[string]map[string]int{}
		for role, canRead := range map[string]bool{"primary": true, "secondary": true, "sso": true, "user": false, "other": false} {
			want[role] = map[string]int{"teams": 200}
			for r, s := range read {
				if r != "teams" {
					want[role][r] = map[bool]int{true: s, false: 403}[canRead]
				}
			}
			for r, s := range change {
				want[role][r] = map[bool]int{true: s, false: 403}[role == "primary" || role == "secondary"]
			}
		}
		for role, statuses := range want {
			for _, r := range routes {
				status, body := e.do(r.method, r.path, tokens[role], []byte(r.body), nil)
				if status != statuses[r.name] {
					t.Errorf("%s %s %s: %d, want %d: %s", role, r.method, r.path, status, statuses[r.name], body)
				}
			}
		}
	})
}
