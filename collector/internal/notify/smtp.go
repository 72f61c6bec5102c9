package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// MailConfig configures a Mailer.
type MailConfig struct {
	// URL is smtp://[USER@]HOST[:PORT] (STARTTLS when the server offers
	// it; port 587 by default) or smtps://[USER@]HOST[:PORT] (TLS from the
	// first byte; port 465 by default).
	URL      string
	Password string // for USER; "" with no user
	From     string // the From address
	// RootCAs verifies the server's certificate; default the system's.
	RootCAs *x509.CertPool
	// Timeout bounds one delivery's network I/O; default 1 minute.
	Timeout time.Duration
}

// Mailer sends mail through one SMTP server.
type Mailer struct {
	cfg      MailConfig
	implicit bool // smtps://
	addr     string
	host     string
	user     string
	from     *mail.Address
}

// NewMailer checks cfg and returns its mailer; no connection is made.
func NewMailer(cfg MailConfig) (*Mailer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	m := &Mailer{cfg: cfg}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "587"
	case "smtps":
		m.implicit, port = true, "465"
	default:
		return nil, fmt.Errorf("smtp url %q: scheme is not smtp:// or smtps://", cfg.URL)
	}
	m.host = u.Hostname()
	if m.host == "" {
		return nil, fmt.Errorf("smtp url %q has no host", cfg.URL)
	}
	if u.Port() != "" {
		port = u.Port()
	}
	m.addr = net.JoinHostPort(m.host, port)
	if u.User != nil {
		m.user = u.User.Username()
		if p, ok := u.User.Password(); ok && cfg.Password == "" {
			return nil, fmt.Errorf("smtp url carries a password (%s): put it in --smtp-password-file instead", strings.Repeat("*", len(p)))
		}
	}
	if m.user != "" && cfg.Password == "" {
		return nil, fmt.Errorf("smtp url names user %q but no password was given", m.user)
	}
	if cfg.From == "" {
		return nil, errors.New("no mail-from address")
	}
	if m.from, err = mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("mail-from %q: %w", cfg.From, err)
	}
	if m.cfg.Timeout <= 0 {
		m.cfg.Timeout = time.Minute
	}
	return m, nil
}

// From is the sender's address.
func (m *Mailer) From() string { return m.from.Address }

// Mail is one message to build and send.
type Mail struct {
	To             string
	Subject        string
	Body           string // plain text
	AttachmentName string // with Attachment, a CSV file attached
	Attachment     string
	// Key identifies the message: its Message-ID derives from it, so a
	// receiver sees a message sent again after a crash as the same one.
	Key  string
	Date time.Time
}

// Build renders the message as RFC 5322 bytes with CRLF line ends.
func (m *Mailer) Build(msg Mail) ([]byte, error) {
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %w", msg.To, err)
	}
	sum := sha256.Sum256([]byte(msg.Key))
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", m.from.String())
	h("To", to.String())
	h("Subject", mime.QEncoding.Encode("utf-8", strings.NewReplacer("\r", " ", "\n", " ").Replace(msg.Subject)))
	h("Date", msg.Date.Format(time.RFC1123Z))
	h("Message-ID", "<"+hex.EncodeToString(sum[:16])+"@teamlens>")
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")
	text := func(w *bytes.Buffer) {
		qp := quotedprintable.NewWriter(w)
		qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(msg.Body, "\r\n", "\n"), "\n", "\r\n")))
		qp.Close()
	}
	if msg.AttachmentName == "" {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		text(&b)
		return b.Bytes(), nil
	}
	var parts bytes.Buffer
	mw := multipart.NewWriter(&parts)
	h("Content-Type", `multipart/mixed; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	pw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"quoted-printable"}})
	var body bytes.Buffer
	text(&body)
	pw.Write(body.Bytes())
	aw, _ := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/csv; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": msg.AttachmentName})},
	})
	qp := quotedprintable.NewWriter(aw)
	qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(msg.Attachment, "\r\n", "\n"), "\n", "\r\n")))
	qp.Close()
	mw.Close()
	b.Write(parts.Bytes())
	return b.Bytes(), nil
}

// Send delivers raw (from Build) to one recipient.
func (m *Mailer) Send(ctx context.Context, to string, raw []byte) error {
	addr, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("recipient %q: %w", to, err)
	}
	tlsConfig := &tls.Config{ServerName: m.host, RootCAs: m.cfg.RootCAs, MinVersion: tls.VersionTLS12}
	d := &net.Dialer{Timeout: m.cfg.Timeout}
	var conn net.Conn
	if m.implicit {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, "tcp", m.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", m.addr)
	}
	if err != nil {
		return fmt.Errorf("smtp %s: %w", m.addr, err)
	}
	// An I/O deadline is wall time by nature, not the collector's clock.
	conn.SetDeadline(time.Now().Add(m.cfg.Timeout))
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", m.addr, err)
	}
	defer c.Close()
	if err := c.Hello("teamlens"); err != nil {
		return fmt.Errorf("smtp hello: %w", err)
	}
	if !m.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("smtp starttls: %w", err)
			}
		}
	}
	// A server that offers no AUTH (a relay that trusts its network, or
	// one that wants TLS first) gets the mail without: it refuses it if
	// it wanted a login, and the password is never sent where it was not
	// asked for. PlainAuth sends it only over TLS (or to localhost).
	if ok, _ := c.Extension("AUTH"); ok && m.user != "" {
		if err := c.Auth(smtp.PlainAuth("", m.user, m.cfg.Password, m.host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return fmt.Errorf("smtp mail from: %w", err)
	}
	if err := c.Rcpt(addr.Address); err != nil {
		return fmt.Errorf("smtp rcpt to %s: %w", addr.Address, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	return c.Quit()
}
