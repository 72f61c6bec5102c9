package watch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"teamlens/collector/internal/notify"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
)

// receiver is a generic webhook receiver that checks signatures.
type receiver struct {
	mu     sync.Mutex
	secret string
	kinds  []string
	bad    int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if r.Header.Get("X-Teamlens-Signature") != notify.Sign(rc.secret, b) {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var body notify.GenericBody
	json.Unmarshal(b, &body)
	rc.kinds = append(rc.kinds, body.Kind)
}

func seedAlerts(t *testing.T, s *site) {
	t.Helper()
	s.load("teams", "team,name,plan,user_management\nacme,Acme,premium,named\n")
	var users, as strings.Builder
	users.WriteString("email,login,name\n")
	as.WriteString("subscription,email,assigned_on\n")
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&users, "u%d@x.com,u%d,U%d\n", i, i, i)
	}
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&as, "S9,u%d@x.com,%s\n", i, s.day(100))
	}
	fmt.Fprintf(&as, "SF,u10@x.com,%s\nSF,u11@x.com,%s\nSO,u12@x.com,%s\n", s.day(100), s.day(100), s.day(400))
	s.load("users", users.String())
	s.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
		fmt.Sprintf("S9,acme,AutoCAD,single-user,10,online,%s,%s\n", s.day(365), s.day(-300))+
		fmt.Sprintf("SF,acme,Revit,single-user,2,online,%s,%s\n", s.day(365), s.day(-300))+
		fmt.Sprintf("SE,acme,AutoCAD,single-user,3,online,%s,%s\n", s.day(365), s.day(-25))+
		fmt.Sprintf("SO,acme,AutoCAD,single-user,1,online,%s,%s\n", s.day(700), s.day(10)))
	s.load("assignments", as.String())
	s.token = s.admin("adm@x.com", "primary", true)
	s.admin("sec@x.com", "secondary", false)
	dev, _, err := s.st.Enroll(context.Background(), "ws-quiet", s.clk.Now().AddDate(0, 0, -30))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.PutDays(context.Background(), dev, nil, s.clk.Now()); err != nil {
		t.Fatal(err)
	}
	s.clk.Add(-8 * 24 * time.Hour)
	s.used(dev, "u1", "AutoCAD", 8)
	s.clk.Add(8 * 24 * time.Hour)
}

func outboxKinds(t *testing.T, st *store.Store) map[string][]string {
	t.Helper()
	msgs, err := st.Outbox(context.Background(), "acme", 500)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, m := range msgs {
		r := m.Recipient
		if m.Channel == store.ChannelWebhook {
			r = "webhook"
		}
		out[m.Kind] = append(out[m.Kind], r)
	}
	return out
}

// TestAlertsOncePerOccurrence, on both engines: each alert is told once to
// the admins (by mail) and the webhook, however often the pass runs; the
// over-assignment only to the admin who may purchase; a condition that
// ends and comes back is told again.
func TestAlertsOncePerOccurrence(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := newSite(t, e.DSN(t))
			seedAlerts(t, s)
			ctx := context.Background()
			rc := &receiver{}
			hook := httptest.NewServer(rc)
			defer hook.Close()
			var created store.Webhook
			if st := s.do("POST", "/v1/teams/acme/webhooks", s.token, map[string]string{"url": hook.URL, "kind": "generic"}, &created); st != 201 || len(created.Secret) != 64 {
				t.Fatalf("add webhook: %d %+v", st, created)
			}
			rc.secret = created.Secret
			var list struct{ Webhooks []store.Webhook }
			if s.do("GET", "/v1/teams/acme/webhooks", s.token, nil, &list); len(list.Webhooks) != 1 || list.Webhooks[0].Secret != "" {
				t.Errorf("webhook list: %+v", list)
			}
			if st := s.do("POST", "/v1/teams/acme/webhooks", s.token, map[string]string{"url": "ftp://x", "kind": "generic"}, nil); st != 400 {
				t.Errorf("an ftp url: %d, want 400", st)
			}
			if st := s.do("POST", "/v1/teams/acme/webhooks", s.token, map[string]string{"url": hook.URL, "kind": "irc"}, nil); st != 400 {
				t.Errorf("kind irc: %d, want 400", st)
			}

			for range 2 {
				if err := s.watcher.Alerts(ctx); err != nil {
					t.Fatal(err)
				}
			}
			got := outboxKinds(t, s.st)
			all := "[adm@x.com sec@x.com webhook]"
			for kind, want := range map[string]string{"alert.seats": all, "alert.full": all, "alert.ending": all, "alert.silent": all, "alert.over": "[adm@x.com]"} {
				r := got[kind]
				sort.Strings(r)
				if fmt.Sprint(r) != want {
					t.Errorf("%s to %v, want %s", kind, r, want)
				}
			}
			if len(got) != 5 {
				t.Errorf("kinds %v", got)
			}
			res := s.deliverAll()
			if res.Sent != 13 || rc.bad != 0 || len(rc.kinds) != 4 {
				t.Errorf("delivered %+v; webhook got %v, %d badly signed", res, rc.kinds, rc.bad)
			}
			subjects := map[string]bool{}
			for _, m := range s.mails()["adm@x.com"] {
				subjects[m.Subject] = true
			}
			for _, want := range []string{"AutoCAD: 9 of 10 seats of S9 are assigned", "Revit: all 2 seats of SF are assigned",
				"AutoCAD: subscription SE ends in 25 days, on " + s.day(-25), "Device ws-quiet has not reported for 7 days"} {
				if !subjects[want] {
					t.Errorf("no mail %q among %v", want, subjects)
				}
			}

			// S9 drops below 90% and comes back: a second occurrence.
			if st := s.do("DELETE", "/v1/teams/acme/assignments/S9/u9@x.com", s.token, nil, nil); st != 204 {
				t.Fatalf("unassign: %d", st)
			}
			s.clk.Add(24 * time.Hour)
			s.watcher.Alerts(ctx)
			if st := s.do("POST", "/v1/teams/acme/assignments", s.token, map[string]string{"subscription": "S9", "email": "u9@x.com"}, nil); st != 201 {
				t.Fatalf("assign: %d", st)
			}
			s.clk.Add(24 * time.Hour)
			s.watcher.Alerts(ctx)
			s.watcher.Alerts(ctx)
			got = outboxKinds(t, s.st)
			if len(got["alert.seats"]) != 6 || len(got["alert.ending"]) != 3 || len(got["alert.silent"]) != 3 {
				t.Errorf("after a second occurrence: seats %d (want 6), ending %d (want 3), silent %d (want 3)",
					len(got["alert.seats"]), len(got["alert.ending"]), len(got["alert.silent"]))
			}
		})
	}
}

// TestDigestWeekly: one digest per admin and week, with the findings as
// CSV; an admin who turned it off gets none.
func TestDigestWeekly(t *testing.T) {
	s := newSite(t, storetest.SQLiteDSN(t))
	seedAlerts(t, s)
	ctx := context.Background()
	for range 2 {
		if err := s.watcher.Digest(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s.deliverAll()
	m := s.mails()
	if len(m["adm@x.com"]) != 1 || len(m["sec@x.com"]) != 1 {
		t.Fatalf("first week: adm %d, sec %d digests", len(m["adm@x.com"]), len(m["sec@x.com"]))
	}
	d := m["adm@x.com"][0]
	if !strings.Contains(d.Raw, "filename=insights-acme-") || !strings.Contains(d.Raw, "under_assignment") || !strings.Contains(d.Body, "under-assigned subscriptions:") {
		t.Errorf("digest:\n%s", d.Raw)
	}
	if strings.Contains(m["sec@x.com"][0].Raw, "over_assignment") {
		t.Error("the digest of an admin who may not purchase shows the over-assignment")
	}
	if err := s.st.SetDigest(ctx, "sec@x.com", false, s.clk.Now()); err != nil {
		t.Fatal(err)
	}
	s.clk.Add(7 * 24 * time.Hour)
	s.watcher.Digest(ctx)
	s.deliverAll()
	m = s.mails()
	if len(m["adm@x.com"]) != 2 || len(m["sec@x.com"]) != 1 {
		t.Errorf("second week: adm %d (want 2), sec %d (want 1, opted out)", len(m["adm@x.com"]), len(m["sec@x.com"]))
	}
}

// TestDigestOneMailPerAdmin, on both engines: an admin of two teams gets
// one digest a week with a section per team and the findings of both in
// its CSV; an admin of one team gets that team's digest; a `user` role
// gets none.
func TestDigestOneMailPerAdmin(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := newSite(t, e.DSN(t))
			seedAlerts(t, s)
			ctx := context.Background()
			s.load("teams", "team,name,plan,user_management\nbolt,Bolt,premium,named\n")
			s.load("subscriptions", fmt.Sprintf("subscription,team,product,type,seats,channel,start,end\nB1,bolt,Revit,single-user,4,online,%s,%s\n", s.day(365), s.day(-300)))
			s.load("assignments", fmt.Sprintf("subscription,email,assigned_on\nB1,u1@x.com,%s\n", s.day(100)))
			for _, g := range []store.Grant{
				{Team: "bolt", Email: "adm@x.com", Role: "secondary"},
				{Team: "bolt", Email: "uma@x.com", Role: "user"},
			} {
				if _, err := s.st.CreateAdmin(ctx, g, time.Time{}, s.clk.Now()); err != nil {
					t.Fatal(err)
				}
			}
			for range 2 {
				if err := s.watcher.Digest(ctx); err != nil {
					t.Fatal(err)
				}
			}
			s.deliverAll()
			m := s.mails()
			if len(m["adm@x.com"]) != 1 || len(m["sec@x.com"]) != 1 || len(m["uma@x.com"]) != 0 {
				t.Fatalf("digests: adm %d (want 1), sec %d (want 1), uma %d (want 0)", len(m["adm@x.com"]), len(m["sec@x.com"]), len(m["uma@x.com"]))
			}
			d := m["adm@x.com"][0]
			acme, bolt := strings.Index(d.Body, "== Team acme =="), strings.Index(d.Body, "== Team bolt ==")
			if !strings.Contains(d.Subject, "2 teams") || acme < 0 || bolt < acme || strings.Count(d.Body, "Open findings as of") != 2 {
				t.Errorf("digest of two teams: %s\n%s", d.Subject, d.Body)
			}
			if !strings.Contains(d.Raw, "acme,") || !strings.Contains(d.Raw, "bolt,") || strings.Count(d.Raw, "team,as_of,kind") != 1 {
				t.Errorf("the CSV does not hold both teams' findings under one header:\n%s", d.Raw)
			}
			if one := m["sec@x.com"][0]; !strings.Contains(one.Subject, "team acme") || strings.Contains(one.Body, "== Team") || strings.Contains(one.Raw, "bolt,") {
				t.Errorf("digest of one team: %s\n%s", one.Subject, one.Body)
			}
		})
	}
}
