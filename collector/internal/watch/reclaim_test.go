package watch_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/collector/internal/teams"
)

// seedReclaim: team acme, AutoCAD subscription S1 (10 seats). ann uses
// AutoCAD; bob last used it 200 days ago; cat uses only Revit; dan never
// reported anything; eve was assigned 10 days ago; fay is idle but on the
// keep list.
func seedReclaim(t *testing.T, s *site) {
	t.Helper()
	s.load("teams", "team,name,plan,user_management\nacme,Acme,premium,named\n")
	s.load("users", "email,login,name\nann@x.com,ann,Ann\nbob@x.com,bob,Bob\ncat@x.com,cat,Cat\ndan@x.com,dan,Dan\neve@x.com,eve,Eve\nfay@x.com,fay,Fay\n")
	s.load("subscriptions", fmt.Sprintf("subscription,team,product,type,seats,channel,start,end\nS1,acme,AutoCAD,single-user,10,online,%s,%s\nR1,acme,Revit,single-user,10,online,%s,%s\n",
		s.day(400), s.day(-300), s.day(400), s.day(-300)))
	var as strings.Builder
	as.WriteString("subscription,email,assigned_on\n")
	for _, e := range []string{"ann", "bob", "cat", "dan", "fay"} {
		fmt.Fprintf(&as, "S1,%s@x.com,%s\n", e, s.day(300))
	}
	fmt.Fprintf(&as, "S1,eve@x.com,%s\nR1,cat@x.com,%s\n", s.day(10), s.day(300))
	s.load("assignments", as.String())
	dev, _, err := s.st.Enroll(context.Background(), "ws1", s.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.used(dev, "ann", "AutoCAD", 1)
	s.used(dev, "bob", "AutoCAD", 200)
	s.used(dev, "cat", "Revit", 3)
	s.used(dev, "eve", "Revit", 3)
	s.used(dev, "fay", "AutoCAD", 150)
	s.token = s.admin("adm@x.com", "primary", true)
}

func actions(p teams.ReclaimPreview) map[string]string {
	out := map[string]string{}
	for _, c := range p.Candidates {
		out[c.Email] = c.Action
	}
	return out
}

// TestReclaimFlow, on both engines: dry run, policy on, a notice mailed
// to each candidate with a one-time link; bob follows his and keeps the
// seat, cat does not and loses it at the end of the notice, audited as
// reclaim-policy, cat and the admin told. A user without any usage data
// is shown unknown and keeps the seat; each mail is sent once.
func TestReclaimFlow(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			s := newSite(t, dsn)
			seedReclaim(t, s)
			ctx := context.Background()

			var dry teams.ReclaimPreview
			if st := s.do("GET", "/v1/teams/acme/reclaim/autocad/preview?keep=fay@x.com", s.token, nil, &dry); st != 200 {
				t.Fatalf("preview: %d", st)
			}
			want := map[string]string{"bob@x.com": "notify", "cat@x.com": "notify", "dan@x.com": "unknown", "eve@x.com": "excluded", "fay@x.com": "keep"}
			if got := actions(dry); fmt.Sprint(got) != fmt.Sprint(want) || dry.Enabled || dry.Product != "AutoCAD" {
				t.Fatalf("dry run: enabled %v %v, want %v", dry.Enabled, got, want)
			}
			if err := s.watcher.Reclaim(ctx); err != nil {
				t.Fatal(err)
			}
			if s.deliverAll().Sent != 0 {
				t.Fatal("a dry run or no policy sent mail")
			}

			policy := map[string]any{"inactive_days": 90, "notice_days": 14, "exclude_assigned_within_days": 30, "keep": []string{"Fay@x.com"}}
			var p store.Policy
			if st := s.do("PUT", "/v1/teams/acme/reclaim/AutoCAD", s.token, policy, &p); st != 200 || p.NoticeDays != 14 || p.Keep[0] != "fay@x.com" {
				t.Fatalf("put policy: %d %+v", st, p)
			}
			for range 2 { // a second pass the same day sends nothing more
				if err := s.watcher.Reclaim(ctx); err != nil {
					t.Fatal(err)
				}
				s.deliverAll()
			}
			mails := s.mails()
			if len(mails) != 2 || len(mails["bob@x.com"]) != 1 || len(mails["cat@x.com"]) != 1 {
				t.Fatalf("notices: %v", mails)
			}
			expires := s.clk.Now().AddDate(0, 0, 14).Format("2006-01-02")
			n := mails["bob@x.com"][0]
			if !strings.Contains(n.Subject, "AutoCAD") || !strings.Contains(n.Subject, expires) || !strings.Contains(n.Body, "last used on "+s.day(200)) {
				t.Errorf("bob's notice: %s\n%s", n.Subject, n.Body)
			}
			link := keepLink.FindString(n.Body)
			if link == "" || !strings.HasPrefix(link, s.srv.URL+"/keep/") {
				t.Fatalf("no keep link in %q", n.Body)
			}
			var after teams.ReclaimPreview
			s.do("GET", "/v1/teams/acme/reclaim/AutoCAD/preview", s.token, nil, &after)
			if a := actions(after); !after.Enabled || a["bob@x.com"] != "noticed" || a["cat@x.com"] != "noticed" {
				t.Errorf("preview with notices: %v", a)
			}

			// The link's token is kept hashed only.
			token := link[strings.LastIndex(link, "/")+1:]
			var plain, hashed int
			raw := storetest.Raw(t, dsn)
			raw.QueryRow(`SELECT COUNT(*) FROM reclaim_notices WHERE token_hash = $1`, token).Scan(&plain)
			raw.QueryRow(`SELECT COUNT(*) FROM reclaim_notices WHERE token_hash = $1`, store.HashToken(token)).Scan(&hashed)
			if plain != 0 || hashed != 1 {
				t.Errorf("token rows: plain %d, hashed %d", plain, hashed)
			}

			// bob follows the link: the page changes nothing, its button keeps the seat, once.
			b := browser(t)
			resp, err := b.Get(link)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			m := csrfField.FindStringSubmatch(string(page))
			if resp.StatusCode != 200 || m == nil || !strings.Contains(string(page), "I still need it") ||
				!strings.Contains(string(page), `data-notice="bob@x.com"`) || !strings.Contains(string(page), "<strong>"+expires+"</strong>") {
				t.Fatalf("keep page: %d %s", resp.StatusCode, page)
			}
			post := func() (int, string) {
				resp, err := b.PostForm(link, url.Values{"csrf": {m[1]}})
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(body)
			}
			if st, body := post(); st != 200 || !strings.Contains(body, `data-kept="bob@x.com"`) {
				t.Fatalf("keep: %d %s", st, body)
			}
			if st, _ := post(); st != http.StatusGone {
				t.Errorf("the link used twice: %d, want 410", st)
			}
			for _, l := range []string{link, s.srv.URL + "/keep/not-a-token"} {
				if st, _ := get(t, browser(t), l); st != http.StatusGone {
					t.Errorf("GET %s (used or unknown): %d, want 410", l, st)
				}
			}

			// The notice ends: cat's seat goes, bob's stays.
			s.clk.Add(13 * 24 * time.Hour)
			s.watcher.Reclaim(ctx)
			if r := s.deliverAll(); r.Sent != 0 {
				t.Fatalf("a seat went before the notice ended: %+v", r)
			}
			s.clk.Add(24 * time.Hour)
			if err := s.watcher.Reclaim(ctx); err != nil {
				t.Fatal(err)
			}
			s.watcher.Reclaim(ctx)
			s.deliverAll()
			var lic teams.License
			s.do("GET", "/v1/teams/acme", s.token, nil, &lic)
			held := map[string]bool{}
			for _, sub := range lic.Subscriptions {
				for _, a := range sub.Assignments {
					held[sub.Subscription+"/"+a.Email] = true
				}
			}
			for _, who := range []string{"ann", "bob", "dan", "eve", "fay"} {
				if !held["S1/"+who+"@x.com"] {
					t.Errorf("%s lost the AutoCAD seat", who)
				}
			}
			if held["S1/cat@x.com"] || !held["R1/cat@x.com"] {
				t.Errorf("cat: AutoCAD %v (want reclaimed), Revit %v (want kept)", held["S1/cat@x.com"], held["R1/cat@x.com"])
			}
			var audit struct{ Entries []store.AuditEntry }
			s.do("GET", "/v1/teams/acme/audit", s.token, nil, &audit)
			var unassigns []store.AuditEntry
			kept := false
			for _, a := range audit.Entries {
				if a.Action == store.ActionUnassign {
					unassigns = append(unassigns, a)
				}
				kept = kept || (a.Action == store.ActionReclaimKeep && a.Email == "bob@x.com")
			}
			if len(unassigns) != 1 || unassigns[0].Actor != "reclaim-policy" || unassigns[0].Email != "cat@x.com" || !strings.Contains(unassigns[0].Detail, "unanswered") {
				t.Errorf("audit of the reclaim: %+v", unassigns)
			}
			if !kept {
				t.Error("the audit log does not say bob kept his seat")
			}
			mails = s.mails()
			if len(mails["cat@x.com"]) != 2 || !strings.Contains(mails["cat@x.com"][1].Subject, "Seat removed") ||
				len(mails["adm@x.com"]) != 1 || len(mails["bob@x.com"]) != 1 {
				t.Errorf("after the notice: cat %d, admin %d, bob %d mails", len(mails["cat@x.com"]), len(mails["adm@x.com"]), len(mails["bob@x.com"]))
			}
		})
	}
}

// TestReclaimOneNoticePerUserAndProduct, on both engines: gus holds two
// AutoCAD seats (S1 and S2) and has not used AutoCAD for 200 days. He gets
// one notice naming both, the dry run shows both seats under it, and at
// its end both seats go together: two audited unassigns, one mail to him.
func TestReclaimOneNoticePerUserAndProduct(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			s := newSite(t, dsn)
			ctx := context.Background()
			s.load("teams", "team,name,plan,user_management\nacme,Acme,premium,named\n")
			s.load("users", "email,login,name\ngus@x.com,gus,Gus\n")
			s.load("subscriptions", fmt.Sprintf("subscription,team,product,type,seats,channel,start,end\n"+
				"S1,acme,AutoCAD,single-user,5,online,%[1]s,%[2]s\nS2,acme,AutoCAD,single-user,5,reseller,%[1]s,%[2]s\n", s.day(400), s.day(-300)))
			s.load("assignments", fmt.Sprintf("subscription,email,assigned_on\nS1,gus@x.com,%[1]s\nS2,gus@x.com,%[1]s\n", s.day(300)))
			dev, _, err := s.st.Enroll(ctx, "ws1", s.clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			s.used(dev, "gus", "AutoCAD", 200)
			s.token = s.admin("adm@x.com", "primary", true)
			if st := s.do("PUT", "/v1/teams/acme/reclaim/AutoCAD", s.token, map[string]any{"notice_days": 14}, nil); st != 200 {
				t.Fatalf("put policy: %d", st)
			}
			for range 2 {
				if err := s.watcher.Reclaim(ctx); err != nil {
					t.Fatal(err)
				}
				s.deliverAll()
			}
			mails := s.mails()["gus@x.com"]
			if len(mails) != 1 || !strings.Contains(mails[0].Body, "subscriptions S1, S2") || !strings.Contains(mails[0].Subject, "2 AutoCAD seats") {
				t.Fatalf("notices to gus: %+v", mails)
			}
			var preview teams.ReclaimPreview
			s.do("GET", "/v1/teams/acme/reclaim/AutoCAD/preview", s.token, nil, &preview)
			if len(preview.Candidates) != 2 || preview.Candidates[0].Action != teams.ReclaimNoticed || preview.Candidates[1].Action != teams.ReclaimNoticed ||
				preview.Candidates[0].NoticeExpiresOn != preview.Candidates[1].NoticeExpiresOn {
				t.Fatalf("preview: %+v", preview.Candidates)
			}
			var notices int
			storetest.Raw(t, dsn).QueryRow(`SELECT COUNT(*) FROM reclaim_notices WHERE email = 'gus@x.com'`).Scan(&notices)
			if notices != 1 {
				t.Errorf("%d notice rows for gus, want 1", notices)
			}

			s.clk.Add(14 * 24 * time.Hour)
			for range 2 {
				if err := s.watcher.Reclaim(ctx); err != nil {
					t.Fatal(err)
				}
				s.deliverAll()
			}
			var lic teams.License
			s.do("GET", "/v1/teams/acme", s.token, nil, &lic)
			for _, sub := range lic.Subscriptions {
				if len(sub.Assignments) != 0 {
					t.Errorf("%s still held: %+v", sub.Subscription, sub.Assignments)
				}
			}
			var audit struct{ Entries []store.AuditEntry }
			s.do("GET", "/v1/teams/acme/audit", s.token, nil, &audit)
			removed := map[string]bool{}
			for _, a := range audit.Entries {
				if a.Action == store.ActionUnassign && a.Actor == store.ReclaimActor && a.Email == "gus@x.com" {
					removed[a.Subscription] = true
				}
			}
			if !removed["S1"] || !removed["S2"] || len(removed) != 2 {
				t.Errorf("audited reclaims: %v", removed)
			}
			mails = s.mails()["gus@x.com"]
			if len(mails) != 2 || !strings.Contains(mails[1].Subject, "Seats removed") || !strings.Contains(mails[1].Body, "S1, S2") {
				t.Errorf("mails to gus: %d, last %+v", len(mails), mails[len(mails)-1])
			}
		})
	}
}
