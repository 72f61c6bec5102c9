package console_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"teamlens/collector/internal/console"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/collector/internal/teams"
	"teamlens/internal/testenv"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

// start is the fixed "now" of the fixture: a Friday morning.
var start = testenv.Epoch()

// site is a real collector handler (API and console on one listener) on a
// real database, seeded with two teams and their admins.
type site struct {
	t      testing.TB
	st     *store.Store
	srv    *httptest.Server
	h      http.Handler // what srv serves, for benchmarks without the network
	clock  atomic.Int64 // unix nanoseconds
	logs   *testenv.Buffer
	tokens map[string]string
}

func (s *site) now() time.Time { return time.Unix(0, s.clock.Load()).UTC() }

// advance moves the site's clock.
func (s *site) advance(d time.Duration) { s.clock.Add(int64(d)) }

type siteOptions struct {
	tls   bool
	users int // directory users beyond the named ones
	// console, if set, adjusts the console's configuration (its clock is
	// the site's).
	console func(s *site, cfg *console.Config)
}

func newSite(t testing.TB, dsn string, opt siteOptions) *site {
	t.Helper()
	s := &site{t: t, st: storetest.Open(t, dsn), logs: &testenv.Buffer{}, tokens: map[string]string{}}
	s.clock.Store(start.UnixNano())
	logger := slog.New(slog.NewTextHandler(s.logs, nil))
	svc := teams.New(teams.Config{Store: s.st, Logger: logger, Now: s.now, InsightsHour: 2})
	cfg := console.Config{Teams: svc, Store: s.st, Logger: logger, Now: s.now}
	if opt.console != nil {
		opt.console(s, &cfg)
	}
	ui, err := console.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(server.Config{Store: s.st, EnrollSecret: "s", Logger: logger, Now: s.now, Teams: svc, Console: ui})
	s.h = h
	if opt.tls {
		s.srv = httptest.NewTLSServer(h)
	} else {
		s.srv = httptest.NewServer(h)
	}
	t.Cleanup(s.srv.Close)
	s.seed(opt.users)
	return s
}

func (s *site) load(kind, body string) {
	s.t.Helper()
	f, err := license.Parse(kind, strings.NewReader(testenv.Dates(body)), catalog.Builtin())
	if err != nil {
		s.t.Fatalf("parse %s: %v", kind, err)
	}
	if err := s.st.Import(context.Background(), f); err != nil {
		s.t.Fatalf("import %s: %v", kind, err)
	}
}

// seed: T1 (premium) has S1 (AutoCAD, 5 seats, 3 held), S2 (Revit, 3
// seats, 1 held), S3 (AutoCAD, 2 seats, both held) and OLD (ended, 2 still
// held); T2 (standard) and T3 (classic) exist too. Five of T1's users have
// AutoCAD figures (u1, u2, u5, u9, u10), the fewest a team's figures need;
// eight more logins outside T1 give the performance quartiles their peers.
func (s *site) seed(extra int) {
	ctx := context.Background()
	s.load("teams", "team,name,plan,user_management\nT1,Acme Design,premium,named\nT2,Bolt Works,standard,named\nT3,Classic Co,premium,classic\n")
	var users strings.Builder
	users.WriteString("email,login,name\n")
	names := []string{"Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth", "Frances Allen", "Ken Thompson", "Margaret Hamilton", "Dennis Ritchie"}
	for i, n := range names {
		fmt.Fprintf(&users, "u%d@acme.example,u%d,%s\n", i+1, i+1, n)
	}
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&users, "peer%d@other.example,peer%d,Peer %d\n", i, i, i)
	}
	for i := 0; i < extra; i++ {
		fmt.Fprintf(&users, "x%d@acme.example,x%d,User %d\n", i, i, i)
	}
	s.load("users", users.String())
	// Departments and prices (License money): Ada and Grace design, Alan
	// builds; S1 costs 1,800 EUR a seat a year, S2 300 EUR a month.
	s.load("users", "email,login,name,department\nu1@acme.example,u1,Ada Lovelace,Design\nu2@acme.example,u2,Grace Hopper,Design\nu3@acme.example,u3,Alan Turing,Build\n")
	s.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
		"S1,T1,AutoCAD,single-user,5,online,2026-01-01,2027-06-30\n"+
		"S2,T1,Revit,single-user,3,reseller,2026-01-01,2027-06-30\n"+
		"S3,T1,AutoCAD,single-user,2,reseller,2026-01-01,2027-06-30\n"+
		"OLD,T1,AutoCAD,single-user,2,online,2025-01-01,2025-12-31\n"+
		"B1,T2,AutoCAD,flex,2,online,2026-01-01,2027-06-30\n"+
		"C1,T3,AutoCAD,single-user,2,online,2026-01-01,2027-06-30\n")
	s.load("assignments", "subscription,email,assigned_on\n"+
		"S1,u1@acme.example,2026-01-05\nS1,u2@acme.example,2026-01-05\nS1,u3@acme.example,2026-01-05\n"+
		"S2,u4@acme.example,2026-01-05\nOLD,u1@acme.example,2025-01-05\nOLD,u5@acme.example,2025-01-05\n"+
		"S3,u9@acme.example,2026-01-05\nS3,u10@acme.example,2026-01-05\n"+
		"B1,u6@acme.example,2026-02-01\n")
	if extra > 0 {
		var as strings.Builder
		as.WriteString("subscription,email,assigned_on\n")
		for i := 0; i < extra; i++ {
			fmt.Fprintf(&as, "S1,x%d@acme.example,2026-01-05\n", i)
		}
		s.load("subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
			fmt.Sprintf("S1,T1,AutoCAD,single-user,%d,online,2026-01-01,2027-06-30\n", extra+10))
		s.load("assignments", as.String())
	}
	id, _, err := s.st.Enroll(ctx, "ws-01", start)
	if err != nil {
		s.t.Fatal(err)
	}
	var days []wire.Day
	day := func(login, product, version string, back, startup int, cmds map[string]int64) wire.Day {
		d := wire.Day{Date: start.AddDate(0, 0, -back).Format("2006-01-02"), User: login, Product: product, Version: version, Minutes: 60, Sessions: 1,
			Analytics: &wire.Analytics{StartupMS: &wire.Stat{Count: 1, Sum: int64(startup), Min: int64(startup), Max: int64(startup)},
				Commands: map[string]*wire.Outcomes{}}}
		for c, n := range cmds {
			d.Analytics.Commands[c] = &wire.Outcomes{Started: n, Completed: n}
		}
		return d
	}
	for b := 0; b < 60; b++ {
		days = append(days, day("u1", "AutoCAD", "2027.1", b, 3000+b*10, map[string]int64{"LINE": 20, "MOVE": 8, "DIMLINEAR": 3}))
		days = append(days, day("u2", "AutoCAD", "2027.1", b, 5200, map[string]int64{"LINE": 5, "TRIM": 9, "ZOOM": 12}))
		if b%7 == 0 {
			days = append(days, day("u4", "Revit", "2027", b, 9000, nil))
		}
		if b%3 == 0 {
			days = append(days, day("u5", "AutoCAD", "2027.1", b, 4100, map[string]int64{"LINE": 6, "PLOT": 1}),
				day("u9", "AutoCAD", "2027.1", b, 3600, map[string]int64{"CIRCLE": 4, "LAYER": 2}),
				day("u10", "AutoCAD", "2027.1", b, 6400, map[string]int64{"HATCH": 3, "ZOOM": 5}))
		}
	}
	days = append(days, day("u2", "AutoCAD", "2025", 61, 5000, nil))
	for i := 0; i < 8; i++ {
		days = append(days, day(fmt.Sprintf("peer%d", i), "AutoCAD", "2027.1", i, 2000+400*i, map[string]int64{"LINE": 10, "PLOT": 10}))
	}
	if err := s.st.PutDays(ctx, id, days, start); err != nil {
		s.t.Fatal(err)
	}
	s.load("subscriptions", "subscription,team,product,type,seats,channel,start,end,price,currency,term\n"+
		"S2,T1,Revit,single-user,3,reseller,2026-01-01,2027-06-30,300,EUR,monthly\n")
	if extra == 0 {
		s.load("subscriptions", "subscription,team,product,type,seats,channel,start,end,price,currency,term\n"+
			"S1,T1,AutoCAD,single-user,5,online,2026-01-01,2027-06-30,1800,EUR,annual\n")
	}
	for b := 0; b < 60; b++ {
		if err := s.st.RecordSeatHistory(ctx, start.AddDate(0, 0, -b).Format("2006-01-02")); err != nil {
			s.t.Fatal(err)
		}
	}
	// Each workstation reports its own few users (the collector caps the
	// distinct users of a device per day).
	for first := 0; first < extra; first += 10 {
		ws, _, err := s.st.Enroll(ctx, fmt.Sprintf("ws-x%d", first), start)
		if err != nil {
			s.t.Fatal(err)
		}
		var batch []wire.Day
		for i := first; i < min(first+10, extra); i++ {
			if i%10 == 9 { // every tenth holds a seat it never uses: an inactive user
				continue
			}
			for b := 0; b < 30; b += 3 {
				batch = append(batch, day(fmt.Sprintf("x%d", i), "AutoCAD", "2027.1", b+i%3, 2500+i%900, map[string]int64{"LINE": 4}))
			}
		}
		if err := s.st.PutDays(ctx, ws, batch, start); err != nil {
			s.t.Fatal(err)
		}
	}
	for name, g := range map[string]store.Grant{
		"primary":   {Team: "T1", Email: "pat@acme.example", Role: "primary", CanPurchase: true},
		"secondary": {Team: "T1", Email: "sam@acme.example", Role: "secondary"},
		"sso":       {Team: "T1", Email: "sso@acme.example", Role: "sso"},
		"user":      {Team: "T1", Email: "uma@acme.example", Role: "user"},
		"other":     {Team: "T2", Email: "olga@bolt.example", Role: "primary", CanPurchase: true},
		"classic":   {Team: "T3", Email: "cleo@classic.example", Role: "primary", CanPurchase: true},
	} {
		tok, err := s.st.CreateAdmin(ctx, g, time.Time{}, start)
		if err != nil {
			s.t.Fatal(err)
		}
		s.tokens[name] = tok
	}
}

// browser is an HTTP client with its own cookie jar that does not follow
// redirects, so tests see each answer.
type browser struct {
	s    *site
	c    *http.Client
	csrf string // of the last page read
	ua   string // User-Agent, if set
}

func (b *browser) do(req *http.Request) (*http.Response, error) {
	if b.ua != "" {
		req.Header.Set("User-Agent", b.ua)
	}
	return b.c.Do(req)
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := new(http.Client)
	*c = *s.srv.Client() // the server's client trusts its TLS certificate; each browser gets its own jar
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{s: s, c: c}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a path and remembers the page's CSRF token.
func (b *browser) get(path string) (*http.Response, string) {
	b.s.t.Helper()
	req, _ := http.NewRequest("GET", b.s.srv.URL+path, nil)
	resp, err := b.do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(body)
}

// post submits a form; the csrf field is added unless form sets it.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.s.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// signIn signs in with a token and fails the test unless it works.
func (b *browser) signIn(token string) {
	b.s.t.Helper()
	b.get("/signin")
	resp, body := b.post("/signin", url.Values{"token": {token}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/teams" {
		b.s.t.Fatalf("sign in: %d %s", resp.StatusCode, body)
	}
	b.get("/teams")
}
