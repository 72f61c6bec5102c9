package cli

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strings"

	"teamlens/collector/internal/notify"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
	"teamlens/collector/internal/watch"
)

// notifyFlags adds serve's flags of mail and alerts.
func notifyFlags(fs *flag.FlagSet, cfg *ServeConfig) {
	fs.StringVar(&cfg.SMTPURL, "smtp-url", "", "SMTP server to send mail through: smtp://USER@HOST:PORT (STARTTLS when offered) or smtps://USER@HOST:PORT (TLS); empty: no mail")
	fs.StringVar(&cfg.SMTPPasswordFile, "smtp-password-file", "", "`file` holding the password of --smtp-url's user")
	fs.StringVar(&cfg.MailFrom, "mail-from", "", "`address` mail is sent from")
	fs.IntVar(&cfg.AlertSeatsPercent, "alert-seats-percent", 90, "`percent` of a subscription's seats assigned that raises an alert (1-100)")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "the console's `URL` as users reach it, for links in mail (default from --listen)")
}

// newMailer checks the mail flags; nil without --smtp-url.
func newMailer(cfg ServeConfig) (*notify.Mailer, error) {
	if cfg.AlertSeatsPercent < 0 || cfg.AlertSeatsPercent > 100 {
		return nil, fmt.Errorf("--alert-seats-percent %d is not 1..100", cfg.AlertSeatsPercent)
	}
	if cfg.SMTPURL == "" {
		if cfg.MailFrom != "" || cfg.SMTPPasswordFile != "" {
			return nil, fmt.Errorf("--mail-from and --smtp-password-file need --smtp-url")
		}
		return nil, nil
	}
	if cfg.MailFrom == "" {
		return nil, fmt.Errorf("--smtp-url needs --mail-from")
	}
	password := ""
	if cfg.SMTPPasswordFile != "" {
		b, err := os.ReadFile(cfg.SMTPPasswordFile)
		if err != nil {
			return nil, fmt.Errorf("--smtp-password-file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	m, err := notify.NewMailer(notify.MailConfig{URL: cfg.SMTPURL, Password: password, From: cfg.MailFrom})
	if err != nil {
		return nil, fmt.Errorf("--smtp-url: %w", err)
	}
	return m, nil
}

// notifyRunner is the passes (reclaim, alerts, digest) and the outbox's
// delivery of `collector serve`.
func notifyRunner(cfg ServeConfig, st *store.Store, svc *teams.Service, mailer *notify.Mailer, addr string, tls bool) *watch.Runner {
	base := cfg.PublicURL
	if base == "" {
		host, port, _ := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host, _ = os.Hostname()
		}
		scheme := "http"
		if tls || cfg.SecureCookies {
			scheme = "https"
		}
		base = scheme + "://" + net.JoinHostPort(host, port)
	}
	if mailer == nil {
		cfg.Logger.Info("no --smtp-url: no mail is sent and the reclaim policies send no notice")
	}
	w := watch.New(watch.Config{Store: st, Teams: svc, Mail: mailer != nil, BaseURL: base, Logger: cfg.Logger,
		SeatsPercent: cfg.AlertSeatsPercent})
	d := &notify.Deliverer{Store: st, Mailer: mailer, Logger: cfg.Logger}
	return &watch.Runner{Watcher: w, Deliverer: d, Logger: cfg.Logger, Interval: cfg.NotifyInterval}
}
