package notify_test

import (
	"bufio"
	"context"
	"crypto/x509"
	"os"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/notify"
	"teamlens/collector/internal/notify/smtptest"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/internal/testenv"
)

const helperEnv = "TEAMLENS_NOTIFY_HELPER"

// TestHelperDeliverer is the deliverer process TestKillBetweenClaimAndSend
// kills: it delivers the outbox of TEAMLENS_NOTIFY_DSN through the SMTP
// server at TEAMLENS_NOTIFY_SMTP at the epoch.
func TestHelperDeliverer(t *testing.T) {
	if !testenv.HelperProcess(helperEnv) {
		t.Skip("helper process of TestKillBetweenClaimAndSend")
	}
	st, err := store.Open(context.Background(), os.Getenv("TEAMLENS_NOTIFY_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(os.Getenv("TEAMLENS_NOTIFY_CA")))
	m, err := notify.NewMailer(notify.MailConfig{URL: "smtp://" + os.Getenv("TEAMLENS_NOTIFY_SMTP"), From: "teamlens@example.com", RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("delivering\n")
	(&notify.Deliverer{Store: st, Mailer: m, Now: testenv.Epoch, Owner: "helper"}).Deliver(context.Background())
	os.Stdout.WriteString("returned\n")
}

// TestKillBetweenClaimAndSend, on both engines: a deliverer process is
// killed with SIGKILL while the SMTP server holds its message unanswered
// (claimed, sent, not known to be accepted). The message the decision
// wrote is then sent exactly once by the next deliverer, after the dead
// one's lease ran out, and never again.
func TestKillBetweenClaimAndSend(t *testing.T) {
	testenv.Short(t, "runs a helper process")
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			st := storetest.Open(t, dsn)
			srv := smtptest.New(t, false, "", "")
			epoch := testenv.Epoch()
			if _, err := st.Enqueue(t.Context(), []store.Message{{Key: "decided", Team: "acme", Kind: "alert", Channel: store.ChannelMail,
				Recipient: "ann@example.com", Subject: "decided", Body: "once"}}, epoch); err != nil {
				t.Fatal(err)
			}
			hung := srv.HangNext()
			cmd := testenv.HelperCmd("TestHelperDeliverer", helperEnv+"=1", "TEAMLENS_NOTIFY_DSN="+dsn, "TEAMLENS_NOTIFY_SMTP="+srv.Addr(), "TEAMLENS_NOTIFY_CA="+string(srv.CertPEM))
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			returned := make(chan string, 1)
			go func() {
				var all strings.Builder
				lines := bufio.NewScanner(out)
				for lines.Scan() {
					all.WriteString(lines.Text() + "\n")
					if strings.Contains(lines.Text(), "returned") {
						returned <- all.String()
					}
				}
			}()
			select {
			case <-hung:
			case o := <-returned:
				cmd.Process.Kill()
				t.Fatalf("the helper's delivery returned while the server should hold its message:\n%s", o)
			case <-time.After(2 * time.Minute): // a bound on a hung run, not a measurement
				cmd.Process.Kill()
				t.Fatal("the helper never sent its message")
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			if n := len(srv.Received()); n != 0 {
				t.Fatalf("received %d before the kill", n)
			}
			d := func(at time.Time) notify.Result {
				res, err := (&notify.Deliverer{Store: st, Mailer: mailer(t, srv, "smtp", "", ""), Now: func() time.Time { return at }}).Deliver(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			if r := d(epoch.Add(time.Minute)); r.Sent != 0 {
				t.Fatalf("sent while the dead deliverer's lease held: %+v", r)
			}
			if r := d(epoch.Add(5 * time.Minute)); r.Sent != 1 {
				t.Fatalf("after the lease: %+v, want 1 sent", r)
			}
			d(epoch.Add(time.Hour))
			st2 := storetest.Open(t, dsn) // and after a restart
			(&notify.Deliverer{Store: st2, Mailer: mailer(t, srv, "smtp", "", ""), Now: func() time.Time { return epoch.Add(2 * time.Hour) }}).Deliver(t.Context())
			got := srv.Received()
			if len(got) != 1 || !strings.Contains(got[0].Data, "Subject: decided\r\n") {
				t.Fatalf("received %d messages, want the decided one once", len(got))
			}
			list, _ := st.Outbox(t.Context(), "acme", 10)
			if list[0].State != store.OutboxSent || list[0].Attempts != 2 {
				t.Errorf("outbox: %+v", list[0])
			}
		})
	}
}
