package cli_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/cli"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/notify/smtptest"
	"teamlens/collector/internal/store"
	"teamlens/shared/catalog"
)

// TestServeSendsAlerts: `collector serve --smtp-url --mail-from` runs the
// passes and the delivery: a subscription with 9 of its 10 seats assigned
// is mailed to the team's admin, with the week's digest, and the tenth
// seat assigned over the API is mailed at the next tick. Serve's clock is the real one, so the
// fixture's dates are relative to it.
func TestServeSendsAlerts(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "c.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	day := func(n int) string { return now.AddDate(0, 0, n).Format(license.DateLayout) }
	var users, as strings.Builder
	users.WriteString("email,login,name\n")
	as.WriteString("subscription,email,assigned_on\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&users, "u%d@x.com,u%d,U%d\n", i, i, i)
		fmt.Fprintf(&as, "S1,u%d@x.com,%s\n", i, day(-30))
	}
	for _, f := range []struct{ kind, body string }{
		{"teams", "team,name,plan,user_management\nacme,Acme,premium,named\n"},
		{"users", users.String() + "u10@x.com,u10,U10\n"},
		{"subscriptions", "subscription,team,product,type,seats,channel,start,end\nS1,acme,AutoCAD,single-user,10,online," + day(-300) + "," + day(300) + "\n"},
		{"assignments", as.String()},
	} {
		parsed, err := license.Parse(f.kind, strings.NewReader(f.body), catalog.Builtin())
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Import(ctx, parsed); err != nil {
			t.Fatal(err)
		}
	}
	token, err := st.CreateAdmin(ctx, store.Grant{Team: "acme", Email: "adm@x.com", Role: "primary"}, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}

	st.Close()

	srv := smtptest.NewPlain(t)
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	addr := make(chan string, 1)
	go func() {
		done <- cli.Serve(sctx, cli.ServeConfig{DB: db, Listen: "127.0.0.1:0", Logger: discard(),
			SMTPURL: "smtp://" + srv.Addr(), MailFrom: "teamlens@x.com", AlertSeatsPercent: 90,
			NotifyInterval: 20 * time.Millisecond, Ready: func(a string) { addr <- a }})
	}()
	base := "http://" + <-addr
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	wait := func(n int) {
		deadline := time.Now().Add(time.Minute) // a bound on a broken run, not a measurement
		for len(srv.Received()) < n && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	wait(2)
	// The tenth seat assigned through the API is told at the next tick,
	// not the next day.
	req, _ := http.NewRequest("POST", base+"/v1/teams/acme/assignments", strings.NewReader(`{"subscription":"S1","email":"u10@x.com"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("assign: %d", resp.StatusCode)
	}
	wait(3)
	subjects := map[string]int{}
	for _, m := range srv.Received() {
		if m.To != "adm@x.com" {
			t.Errorf("mail to %s", m.To)
		}
		for _, l := range strings.Split(m.Data, "\r\n") {
			if v, ok := strings.CutPrefix(l, "Subject: "); ok {
				subjects[v]++
			}
		}
	}
	if subjects["AutoCAD: 9 of 10 seats of S1 are assigned"] != 1 || subjects["Teamlens weekly digest: team acme"] != 1 ||
		subjects["AutoCAD: all 10 seats of S1 are assigned"] != 1 || len(subjects) != 3 {
		t.Fatalf("received %v", subjects)
	}
}

// TestServeMailFlags: bad mail flags stop serve before it listens.
func TestServeMailFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  cli.ServeConfig
		want string
	}{
		{"no from", cli.ServeConfig{SMTPURL: "smtp://mail.example.com"}, "--mail-from"},
		{"from without url", cli.ServeConfig{MailFrom: "a@x.com"}, "need --smtp-url"},
		{"wrong scheme", cli.ServeConfig{SMTPURL: "http://mail.example.com", MailFrom: "a@x.com"}, "scheme"},
		{"user without password", cli.ServeConfig{SMTPURL: "smtp://robot@mail.example.com", MailFrom: "a@x.com"}, "no password"},
		{"password in url", cli.ServeConfig{SMTPURL: "smtp://robot:pw@mail.example.com", MailFrom: "a@x.com"}, "password"},
		{"missing password file", cli.ServeConfig{SMTPURL: "smtp://robot@mail.example.com", MailFrom: "a@x.com", SMTPPasswordFile: "/nonexistent"}, "--smtp-password-file"},
		{"percent", cli.ServeConfig{AlertSeatsPercent: 101}, "--alert-seats-percent"},
	} {
		c.cfg.DB, c.cfg.Listen, c.cfg.Logger = filepath.Join(t.TempDir(), "c.db"), "127.0.0.1:0", discard()
		err := cli.Serve(context.Background(), c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %s", c.name, err, c.want)
		}
	}
}
