package watch_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/catalog"
)

// TestNotifyRoutesRoles: primary and secondary change policies and
// webhooks; sso reads the policies and the dry run; user and another
// team's admin get 403; bad bodies get 400 and change nothing.
func TestNotifyRoutesRoles(t *testing.T) {
	s := newSite(t, storetest.SQLiteDSN(t))
	seedReclaim(t, s)
	s.load("teams", "team,name,plan,user_management\nacme,Acme,premium,named\nother,Other,premium,named\n")
	ctx := context.Background()
	mint := func(team, email, role string) string {
		tok, err := s.st.CreateAdmin(ctx, store.Grant{Team: team, Email: email, Role: role}, time.Time{}, s.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	sec, sso, user, other := mint("acme", "sec@x.com", "secondary"), mint("acme", "sso@x.com", "sso"), mint("acme", "usr@x.com", "user"), mint("other", "oth@x.com", "primary")
	body := map[string]any{"inactive_days": 60}
	hook := map[string]string{"url": "https://hooks.slack.com/services/T/B/X", "kind": "slack"}
	for _, c := range []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		{"secondary sets a policy", "PUT", "/v1/teams/acme/reclaim/AutoCAD", sec, body, 200},
		{"sso may not", "PUT", "/v1/teams/acme/reclaim/AutoCAD", sso, body, 403},
		{"user may not", "PUT", "/v1/teams/acme/reclaim/AutoCAD", user, body, 403},
		{"another team's admin may not", "PUT", "/v1/teams/acme/reclaim/AutoCAD", other, body, 403},
		{"no token", "PUT", "/v1/teams/acme/reclaim/AutoCAD", "", body, 401},
		{"unknown product", "PUT", "/v1/teams/acme/reclaim/Notepad", sec, body, 400},
		{"zero inactive days", "PUT", "/v1/teams/acme/reclaim/AutoCAD", sec, map[string]any{"inactive_days": 0}, 400},
		{"unknown field", "PUT", "/v1/teams/acme/reclaim/AutoCAD", sec, map[string]any{"inactive": 5}, 400},
		{"a keep entry that is no email", "PUT", "/v1/teams/acme/reclaim/AutoCAD", sec, map[string]any{"keep": []string{"bob"}}, 400},
		{"sso reads the dry run", "GET", "/v1/teams/acme/reclaim/AutoCAD/preview", sso, nil, 200},
		{"sso reads the policies", "GET", "/v1/teams/acme/reclaim", sso, nil, 200},
		{"user may not read the dry run", "GET", "/v1/teams/acme/reclaim/AutoCAD/preview", user, nil, 403},
		{"a bad proposed number", "GET", "/v1/teams/acme/reclaim/AutoCAD/preview?notice_days=x", sec, nil, 400},
		{"sso may not add a webhook", "POST", "/v1/teams/acme/webhooks", sso, hook, 403},
		{"sso may not list webhooks", "GET", "/v1/teams/acme/webhooks", sso, nil, 403},
		{"secondary adds a webhook", "POST", "/v1/teams/acme/webhooks", sec, hook, 201},
		{"a webhook url with credentials", "POST", "/v1/teams/acme/webhooks", sec, map[string]string{"url": "https://u:p@x.com/", "kind": "slack"}, 400},
		{"unknown webhook", "DELETE", "/v1/teams/acme/webhooks/nope", sec, nil, 404},
		{"sso may not read the outbox", "GET", "/v1/teams/acme/outbox", sso, nil, 403},
		{"secondary reads the outbox", "GET", "/v1/teams/acme/outbox", sec, nil, 200},
		{"sso may not turn a policy off", "DELETE", "/v1/teams/acme/reclaim/AutoCAD", sso, nil, 403},
		{"secondary turns it off", "DELETE", "/v1/teams/acme/reclaim/AutoCAD", sec, nil, 204},
		{"twice", "DELETE", "/v1/teams/acme/reclaim/AutoCAD", sec, nil, 404},
	} {
		if got := s.do(c.method, c.path, c.token, c.body, nil); got != c.want {
			t.Errorf("%s: %s %s = %d, want %d", c.name, c.method, c.path, got, c.want)
		}
	}
	ps, _ := s.st.Policies(ctx, "acme")
	if len(ps) != 0 {
		t.Errorf("policies left: %+v", ps)
	}
	var audit struct{ Entries []store.AuditEntry }
	s.do("GET", "/v1/teams/acme/audit", s.token, nil, &audit)
	seen := map[string]int{}
	for _, a := range audit.Entries {
		seen[a.Action]++
	}
	if seen[store.ActionReclaimSet] != 1 || seen[store.ActionReclaimOff] != 1 || seen[store.ActionWebhookAdd] != 1 {
		t.Errorf("audit: %v", seen)
	}
	var hooks struct{ Webhooks []store.Webhook }
	s.do("GET", "/v1/teams/acme/webhooks", sec, nil, &hooks)
	if len(hooks.Webhooks) != 1 {
		t.Fatalf("webhooks: %+v", hooks)
	}
	if got := s.do("DELETE", "/v1/teams/other/webhooks/"+hooks.Webhooks[0].ID, other, nil, nil); got != http.StatusNotFound {
		t.Errorf("another team deleting acme's webhook: %d, want 404", got)
	}
	if got := s.do("DELETE", "/v1/teams/acme/webhooks/"+hooks.Webhooks[0].ID, sec, nil, nil); got != http.StatusNoContent {
		t.Errorf("delete webhook: %d", got)
	}
}

// TestTeamRemovedWithNotifySettings: a team with a webhook and a reclaim
// policy can still be removed by an import that replaces the teams.
func TestTeamRemovedWithNotifySettings(t *testing.T) {
	s := newSite(t, storetest.SQLiteDSN(t))
	seedReclaim(t, s)
	ctx := context.Background()
	if st := s.do("POST", "/v1/teams/acme/webhooks", s.token, map[string]string{"url": "https://example.com/h", "kind": "slack"}, nil); st != 201 {
		t.Fatal(st)
	}
	if st := s.do("PUT", "/v1/teams/acme/reclaim/AutoCAD", s.token, map[string]any{}, nil); st != 200 {
		t.Fatal(st)
	}
	s.load("teams", "team,name,plan,user_management\nother,Other,premium,named\n")
	for _, r := range []struct{ kind, body string }{
		{"subscriptions", "subscription,team,product,type,seats,channel,start,end\nO1,other,AutoCAD,single-user,1,online," + s.day(10) + "," + s.day(-10) + "\n"},
		{"teams", "team,name,plan,user_management\nother,Other,premium,named\n"},
	} {
		f, err := license.Parse(r.kind, strings.NewReader(r.body), catalog.Builtin())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.st.ImportReplace(ctx, f); err != nil {
			t.Fatalf("replace %s: %v", r.kind, err)
		}
	}
	if err := s.watcher.Pass(ctx); err != nil {
		t.Fatalf("pass after the team went: %v", err)
	}
}
