package watch_test

import (
	"context"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"teamlens/collector/internal/console"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/notify"
	"teamlens/collector/internal/notify/smtptest"
	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/collector/internal/teams"
	"teamlens/collector/internal/watch"
	"teamlens/internal/testenv"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// site is a collector on one database: API and console over HTTP, the
// watcher, a deliverer and an SMTP server receiving its mail.
type site struct {
	t       *testing.T
	st      *store.Store
	clk     *clock
	svc     *teams.Service
	srv     *httptest.Server
	smtp    *smtptest.Server
	watcher *watch.Watcher
	deliver *notify.Deliverer
	token   string // a primary admin's, adm@x.com, who may purchase
}

func newSite(t *testing.T, dsn string) *site {
	t.Helper()
	s := &site{t: t, st: storetest.Open(t, dsn), clk: &clock{t: testenv.Epoch()}}
	s.svc = teams.New(teams.Config{Store: s.st, Now: s.clk.Now})
	ui, err := console.New(console.Config{Teams: s.svc, Store: s.st, Now: s.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(server.New(server.Config{Store: s.st, Teams: s.svc, Console: ui, Now: s.clk.Now}))
	t.Cleanup(s.srv.Close)
	s.smtp = smtptest.New(t, false, "", "")
	m, err := notify.NewMailer(notify.MailConfig{URL: "smtp://" + s.smtp.Addr(), From: "teamlens@x.com", RootCAs: s.smtp.Pool})
	if err != nil {
		t.Fatal(err)
	}
	s.watcher = watch.New(watch.Config{Store: s.st, Teams: s.svc, Mail: true, BaseURL: s.srv.URL})
	s.deliver = &notify.Deliverer{Store: s.st, Mailer: m, Now: s.clk.Now}
	return s
}

// day is the date n days before the epoch.
func (s *site) day(n int) string { return testenv.Epoch().AddDate(0, 0, -n).Format(license.DateLayout) }

func (s *site) load(kind, body string) {
	s.t.Helper()
	f, err := license.Parse(kind, strings.NewReader(body), catalog.Builtin())
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.st.Import(context.Background(), f); err != nil {
		s.t.Fatal(err)
	}
}

func (s *site) admin(email string, role string, purchase bool) string {
	s.t.Helper()
	tok, err := s.st.CreateAdmin(context.Background(), store.Grant{Team: "acme", Email: email, Role: role, CanPurchase: purchase}, time.Time{}, s.clk.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// used uploads one usage day n days before the epoch of login and product
// from a device, at now.
func (s *site) used(device, login, product string, n int) {
	s.t.Helper()
	if err := s.st.PutDays(context.Background(), device, []wire.Day{{Date: s.day(n), User: login, Product: product, Version: "2026", Minutes: 30, Sessions: 1}}, s.clk.Now()); err != nil {
		s.t.Fatal(err)
	}
}

func (s *site) do(method, path, token string, body any, out any) int {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, s.srv.URL+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func (s *site) deliverAll() notify.Result {
	s.t.Helper()
	res, err := s.deliver.Deliver(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

// mails returns the received messages to each recipient, bodies decoded.
func (s *site) mails() map[string][]mail {
	out := map[string][]mail{}
	for _, r := range s.smtp.Received() {
		head, body, _ := strings.Cut(r.Data, "\r\n\r\n")
		m := mail{Raw: r.Data}
		for _, l := range strings.Split(head, "\r\n") {
			if v, ok := strings.CutPrefix(l, "Subject: "); ok {
				m.Subject = v
			}
		}
		dec, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
		m.Body = string(dec)
		out[r.To] = append(out[r.To], m)
	}
	return out
}

type mail struct{ Subject, Body, Raw string }

var keepLink = regexp.MustCompile(`https?://\S+/keep/[A-Za-z0-9_-]+`)

// browser is a client with cookies, as a user's browser.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
