package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/notify"
	"teamlens/collector/internal/notify/smtptest"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/internal/testenv"
	"teamlens/shared/catalog"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: testenv.Epoch()} }
func importCSV(t *testing.T, st *store.Store, kind, body string) {
	t.Helper()
	f, err := license.Parse(kind, strings.NewReader(body), catalog.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Import(context.Background(), f); err != nil {
		t.Fatal(err)
	}
}

func mailer(t *testing.T, srv *smtptest.Server, scheme, user, password string) *notify.Mailer {
	t.Helper()
	u := scheme + "://"
	if user != "" {
		u += user + "@"
	}
	m, err := notify.NewMailer(notify.MailConfig{URL: u + srv.Addr(), Password: password, From: "Teamlens <teamlens@example.com>", RootCAs: srv.Pool})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMailDelivery: mail goes through STARTTLS (smtp://) or TLS from the
// first byte (smtps://) with AUTH PLAIN, and the bytes received are the
// message: headers, encoded subject, body, attachment.
func TestMailDelivery(t *testing.T) {
	for _, scheme := range []string{"smtp", "smtps"} {
		t.Run(scheme, func(t *testing.T) {
			srv := smtptest.New(t, scheme == "smtps", "robot", "s3cret")
			st := storetest.Open(t, storetest.SQLiteDSN(t))
			clk := newClock()
			msgs := []store.Message{
				{Key: "k1", Team: "acme", Kind: "alert.seats", Channel: store.ChannelMail, Recipient: "ann@example.com",
					Subject: "Seats: 9 of 10 assigned — AutoCAD", Body: "Line one\nLine two"},
				{Key: "k2", Team: "acme", Kind: "digest", Channel: store.ChannelMail, Recipient: "bob@example.com",
					Subject: "Weekly digest", Body: "See attached", AttachmentName: "insights.csv", Attachment: "kind,user\ninactive_user,ann@example.com\n"},
			}
			if n, err := st.Enqueue(t.Context(), msgs, clk.Now()); err != nil || n != 2 {
				t.Fatalf("enqueue: %d %v", n, err)
			}
			d := &notify.Deliverer{Store: st, Mailer: mailer(t, srv, scheme, "robot", "s3cret"), Now: clk.Now}
			res, err := d.Deliver(t.Context())
			if err != nil || res.Sent != 2 {
				t.Fatalf("deliver: %+v %v", res, err)
			}
			got := srv.Received()
			if len(got) != 2 {
				t.Fatalf("received %d messages, want 2", len(got))
			}
			for _, g := range got {
				if !g.TLS || g.AuthUser != "robot" || g.From != "teamlens@example.com" {
					t.Errorf("session: tls %v auth %q from %q", g.TLS, g.AuthUser, g.From)
				}
			}
			byTo := map[string]string{got[0].To: got[0].Data, got[1].To: got[1].Data}
			alert := byTo["ann@example.com"]
			for _, want := range []string{"From: \"Teamlens\" <teamlens@example.com>\r\n", "To: <ann@example.com>\r\n",
				"Subject: =?utf-8?q?Seats:_9_of_10_assigned_=E2=80=94_AutoCAD?=\r\n",
				"Date: " + clk.Now().Format(time.RFC1123Z) + "\r\n", "Content-Type: text/plain; charset=utf-8\r\n",
				"\r\n\r\nLine one\r\nLine two"} {
				if !strings.Contains(alert, want) {
					t.Errorf("alert mail lacks %q:\n%s", want, alert)
				}
			}
			digest := byTo["bob@example.com"]
			for _, want := range []string{"multipart/mixed", `Content-Disposition: attachment; filename=insights.csv`,
				"kind,user\r\ninactive_user,ann@example.com\r\n"} {
				if !strings.Contains(digest, want) {
					t.Errorf("digest mail lacks %q:\n%s", want, digest)
				}
			}
			list, _ := st.Outbox(t.Context(), "acme", 10)
			for _, m := range list {
				if m.State != store.OutboxSent || m.SentAt == "" {
					t.Errorf("outbox %s: state %s sent %q", m.Key, m.State, m.SentAt)
				}
			}
		})
	}
}

// TestMailWrongPassword: a refused login is a failed attempt, kept for a
// retry with its reason, and nothing is received.
func TestMailWrongPassword(t *testing.T) {
	srv := smtptest.New(t, false, "robot", "s3cret")
	st := storetest.Open(t, storetest.SQLiteDSN(t))
	clk := newClock()
	st.Enqueue(t.Context(), []store.Message{{Key: "k", Team: "acme", Channel: store.ChannelMail, Recipient: "a@example.com", Subject: "s", Body: "b"}}, clk.Now())
	d := &notify.Deliverer{Store: st, Mailer: mailer(t, srv, "smtp", "robot", "wrong"), Now: clk.Now}
	res, err := d.Deliver(t.Context())
	if err != nil || res.Retrying != 1 || len(srv.Received()) != 0 {
		t.Fatalf("deliver: %+v %v, received %d", res, err, len(srv.Received()))
	}
	list, _ := st.Outbox(t.Context(), "acme", 10)
	if list[0].State != store.OutboxPending || !strings.Contains(list[0].LastError, "535") {
		t.Errorf("outbox: %+v", list[0])
	}
}

// TestExactlyOnce, on both engines: a message is sent once however often
// delivery runs, across a restart of the collector (a new store and
// deliverer on the same database), and after a deliverer that claimed it
// died before sending: its lease runs out and another sends it. A
// temporary failure is retried after the back-off, not before.
func TestExactlyOnce(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := smtptest.New(t, false, "", "")
			dsn := e.DSN(t)
			st := storetest.Open(t, dsn)
			clk := newClock()
			m := mailer(t, srv, "smtp", "", "")
			add := func(key string) {
				t.Helper()
				if _, err := st.Enqueue(t.Context(), []store.Message{{Key: key, Team: "acme", Kind: "alert", Channel: store.ChannelMail,
					Recipient: "ann@example.com", Subject: key, Body: key}}, clk.Now()); err != nil {
					t.Fatal(err)
				}
			}
			add("a")
			add("a") // the same decision taken twice is one message
			run := func(s *store.Store) notify.Result {
				t.Helper()
				res, err := (&notify.Deliverer{Store: s, Mailer: m, Now: clk.Now}).Deliver(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			run(st)
			run(st)
			// Restart: a new process on the same database.
			st2 := storetest.Open(t, dsn)
			run(st2)

			// A deliverer claims b and dies before sending.
			add("b")
			claimed, err := st2.Claim(t.Context(), "dead", clk.Now(), 5*time.Minute, 10, true)
			if err != nil || len(claimed) != 1 {
				t.Fatalf("claim: %v %v", claimed, err)
			}
			if res := run(st2); res.Sent != 0 {
				t.Fatalf("sent %d while the lease holds", res.Sent)
			}
			clk.Add(5 * time.Minute)
			if res := run(st2); res.Sent != 1 {
				t.Fatalf("sent %d after the lease ran out, want 1", res.Sent)
			}
			if err := st2.MarkSent(t.Context(), claimed[0].ID, "dead", clk.Now()); err != store.ErrLeaseLost {
				t.Errorf("the dead deliverer's late mark: %v, want ErrLeaseLost", err)
			}

			// c fails once: retried after Backoff(1), not before.
			add("c")
			srv.FailNext(1)
			if res := run(st2); res.Retrying != 1 {
				t.Fatalf("first try of c: %+v", res)
			}
			clk.Add(notify.Backoff(1) - time.Second)
			if res := run(st2); res.Sent != 0 {
				t.Fatalf("c retried before its back-off: %+v", res)
			}
			clk.Add(time.Second)
			if res := run(st2); res.Sent != 1 {
				t.Fatalf("c after its back-off: %+v", res)
			}
			run(st)
			counts := map[string]int{}
			for _, g := range srv.Received() {
				for _, l := range strings.Split(g.Data, "\r\n") {
					if s, ok := strings.CutPrefix(l, "Subject: "); ok {
						counts[s]++
					}
				}
			}
			if counts["a"] != 1 || counts["b"] != 1 || counts["c"] != 1 || len(srv.Received()) != 3 {
				t.Errorf("received %v (%d messages), want a, b and c once each", counts, len(srv.Received()))
			}
		})
	}
}

// TestGiveUp: after MaxAttempts failures a message is failed and no
// longer tried.
func TestGiveUp(t *testing.T) {
	st := storetest.Open(t, storetest.SQLiteDSN(t))
	clk := newClock()
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	importCSV(t, st, "teams", "team,name,plan,user_management\nacme,Acme,premium,named\n")
	w, err := st.AddWebhook(t.Context(), store.Webhook{Team: "acme", URL: srv.URL, Kind: notify.KindSlack, CreatedBy: "ann@example.com"}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	st.Enqueue(t.Context(), []store.Message{{Key: "k", Team: "acme", Channel: store.ChannelWebhook, Recipient: w.ID, Subject: "s", Body: "b"}}, clk.Now())
	d := &notify.Deliverer{Store: st, Now: clk.Now, MaxAttempts: 3}
	for range 5 {
		if _, err := d.Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Hour)
	}
	list, _ := st.Outbox(t.Context(), "acme", 10)
	if calls != 3 || list[0].State != store.OutboxFailed || !strings.Contains(list[0].LastError, "502") {
		t.Errorf("calls %d, outbox %+v", calls, list[0])
	}
}

// TestWebhookBodies: each kind gets its JSON; a generic receiver can check
// the signature with the secret; a deleted webhook's messages are cancelled.
func TestWebhookBodies(t *testing.T) {
	st := storetest.Open(t, storetest.SQLiteDSN(t))
	clk := newClock()
	importCSV(t, st, "teams", "team,name,plan,user_management\nacme,Acme,premium,named\n")
	type post struct {
		path, sig, delivery string
		body                []byte
	}
	var mu sync.Mutex
	var posts []post
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, post{r.URL.Path, r.Header.Get("X-Teamlens-Signature"), r.Header.Get("X-Teamlens-Delivery"), b})
		mu.Unlock()
	}))
	defer srv.Close()
	hooks := map[string]store.Webhook{}
	for _, k := range []string{"slack", "teams", "generic", "gone"} {
		kind := k
		if k == "gone" {
			kind = "generic"
		}
		w, err := st.AddWebhook(t.Context(), store.Webhook{Team: "acme", URL: srv.URL + "/" + k, Kind: kind, CreatedBy: "ann@example.com"}, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		hooks[k] = w
		st.Enqueue(t.Context(), []store.Message{{Key: "alert|" + k, Team: "acme", Kind: "alert.seats", Channel: store.ChannelWebhook,
			Recipient: w.ID, Subject: "Seats", Body: "9 of 10"}}, clk.Now())
	}
	if err := st.DeleteWebhook(t.Context(), "acme", hooks["gone"].ID, "ann@example.com", clk.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := (&notify.Deliverer{Store: st, Now: clk.Now}).Deliver(t.Context())
	if err != nil || res.Sent != 3 || res.Cancelled != 1 {
		t.Fatalf("deliver: %+v %v", res, err)
	}
	got := map[string]post{}
	for _, p := range posts {
		got[p.path] = p
	}
	var slack struct{ Text string }
	json.Unmarshal(got["/slack"].body, &slack)
	if slack.Text != "Seats\n\n9 of 10" || got["/slack"].sig != "" {
		t.Errorf("slack: %s sig %q", got["/slack"].body, got["/slack"].sig)
	}
	var card struct {
		Type        string
		Attachments []struct {
			ContentType string
			Content     struct {
				Type string
				Body []struct{ Text string }
			}
		}
	}
	json.Unmarshal(got["/teams"].body, &card)
	if card.Type != "message" || len(card.Attachments) != 1 || card.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" ||
		card.Attachments[0].Content.Type != "AdaptiveCard" || len(card.Attachments[0].Content.Body) != 2 || card.Attachments[0].Content.Body[1].Text != "9 of 10" {
		t.Errorf("teams: %s", got["/teams"].body)
	}
	g := got["/generic"]
	if want := notify.Sign(hooks["generic"].Secret, g.body); g.sig != want || !strings.HasPrefix(g.sig, "sha256=") || len(g.sig) != 71 {
		t.Errorf("generic signature %q, want %q", g.sig, want)
	}
	if notify.Sign("another secret", g.body) == g.sig || g.delivery == "" {
		t.Error("the signature does not depend on the secret, or no delivery id")
	}
	var body notify.GenericBody
	if err := json.Unmarshal(g.body, &body); err != nil || body.Team != "acme" || body.Kind != "alert.seats" || body.Text != "9 of 10" {
		t.Errorf("generic body %s: %v", g.body, err)
	}
	if _, ok := got["/gone"]; ok {
		t.Error("a deleted webhook was posted to")
	}
}

// TestPruneOutbox: settled messages older than the cut go; pending ones
// stay whatever their age.
func TestPruneOutbox(t *testing.T) {
	st := storetest.Open(t, storetest.SQLiteDSN(t))
	clk := newClock()
	srv := smtptest.New(t, false, "", "")
	st.Enqueue(t.Context(), []store.Message{{Key: "sent", Team: "acme", Channel: store.ChannelMail, Recipient: "a@example.com", Subject: "s", Body: "b"}}, clk.Now())
	if r, err := (&notify.Deliverer{Store: st, Mailer: mailer(t, srv, "smtp", "", ""), Now: clk.Now}).Deliver(t.Context()); err != nil || r.Sent != 1 {
		t.Fatal(r, err)
	}
	st.Enqueue(t.Context(), []store.Message{{Key: "waiting", Team: "acme", Channel: store.ChannelMail, Recipient: "a@example.com", Subject: "s", Body: "b"}}, clk.Now())
	if n, err := st.PruneOutbox(t.Context(), clk.Now()); err != nil || n != 0 {
		t.Fatalf("prune before the cut: %d %v", n, err)
	}
	n, err := st.PruneOutbox(t.Context(), clk.Now().Add(time.Second))
	list, _ := st.Outbox(t.Context(), "acme", 10)
	if err != nil || n != 1 || len(list) != 1 || list[0].Key != "waiting" {
		t.Errorf("prune: %d %v, left %+v", n, err, list)
	}
}

// TestMailRelayWithoutAuth: a user is configured but the server (a plain
// relay) offers neither TLS nor AUTH: the mail goes without a login, and
// the password is never sent.
func TestMailRelayWithoutAuth(t *testing.T) {
	srv := smtptest.NewPlain(t)
	st := storetest.Open(t, storetest.SQLiteDSN(t))
	clk := newClock()
	st.Enqueue(t.Context(), []store.Message{{Key: "k", Team: "acme", Channel: store.ChannelMail, Recipient: "a@example.com", Subject: "s", Body: "b"}}, clk.Now())
	res, err := (&notify.Deliverer{Store: st, Mailer: mailer(t, srv, "smtp", "robot", "s3cret"), Now: clk.Now}).Deliver(t.Context())
	got := srv.Received()
	if err != nil || res.Sent != 1 || len(got) != 1 || got[0].TLS || got[0].AuthUser != "" || strings.Contains(got[0].Data, "s3cret") {
		t.Fatalf("deliver %+v %v; received %+v", res, err, got)
	}
}
