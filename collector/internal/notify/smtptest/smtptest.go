// Package smtptest is an SMTP server on a loopback TCP socket for tests:
// EHLO, STARTTLS (or TLS from the first byte), AUTH PLAIN, MAIL, RCPT,
// DATA, QUIT, keeping every message it received.
package smtptest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"teamlens/internal/testenv"
)

// Server is a running test SMTP server.
type Server struct {
	t    testing.TB
	ln   net.Listener
	tls  *tls.Config
	Pool *x509.CertPool // verifies the server's certificate
	// CertPEM is that certificate, for a client in another process.
	CertPEM  []byte
	implicit bool
	plain    bool // offers no STARTTLS
	user     string
	password string

	mu   sync.Mutex
	got  []Received
	fail int // answer the next DATA with 451 this many times
	hang int // answer the next DATA never, this many times
	hung chan struct{}
}

// Received is one message as the server got it.
type Received struct {
	From, To string
	Data     string
	TLS      bool
	AuthUser string
}

// New starts a server, closed when the test ends; with user set it
// requires AUTH PLAIN as user and password.
func New(t testing.TB, implicit bool, user, password string) *Server {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &Server{t: t, tls: &tls.Config{Certificates: []tls.Certificate{cert}}, Pool: pool,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), implicit: implicit, user: user, password: password}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		testenv.Missing(t, "loopback TCP: %v", err)
	}
	if implicit {
		ln = tls.NewListener(ln, s.tls)
	}
	s.ln = ln
	t.Cleanup(func() { ln.Close() })
	go s.serve()
	return s
}

// Addr is the server's host:port.
// NewPlain starts a server that offers no TLS and takes no AUTH, as a
// relay on the same host.
func NewPlain(t testing.TB) *Server {
	s := New(t, false, "", "")
	s.mu.Lock()
	s.plain = true
	s.mu.Unlock()
	return s
}

func (s *Server) Addr() string { return s.ln.Addr().String() }

// Received returns the messages received so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

// FailNext answers the next n DATA with 451.
func (s *Server) FailNext(n int) { s.mu.Lock(); s.fail = n; s.mu.Unlock() }

// HangNext never answers the next message's final dot, and closes the
// channel it returns when that message has been read whole: its sender is
// then between sending and learning it was accepted. The message is not
// kept.
func (s *Server) HangNext() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hang, s.hung = 1, make(chan struct{})
	return s.hung
}

func (s *Server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

func (s *Server) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	_, secure := c.(*tls.Conn)
	s.mu.Lock()
	plain := s.plain
	s.mu.Unlock()
	var cur Received
	authed := ""
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			w.WriteString("250-test\r\n")
			if !secure && !plain {
				w.WriteString("250-STARTTLS\r\n")
			}
			if s.user != "" {
				w.WriteString("250-AUTH PLAIN\r\n")
			}
			say("250 8BITMIME")
		case "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, secure = tc, true
			r, w = bufio.NewReader(tc), bufio.NewWriter(tc)
		case "AUTH":
			f := strings.Fields(line)
			raw, _ := base64.StdEncoding.DecodeString(f[len(f)-1])
			parts := strings.Split(string(raw), "\x00")
			if len(f) == 3 && len(parts) == 3 && parts[1] == s.user && parts[2] == s.password {
				authed = parts[1]
				say("235 ok")
			} else {
				say("535 bad credentials")
			}
		case "MAIL":
			if s.user != "" && authed == "" {
				say("530 authentication required")
				continue
			}
			cur = Received{From: angle(line), TLS: secure, AuthUser: authed}
			say("250 ok")
		case "RCPT":
			cur.To = angle(line)
			say("250 ok")
		case "DATA":
			say("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			if s.hang > 0 {
				s.hang--
				close(s.hung)
				s.mu.Unlock()
				io.Copy(io.Discard, r) // until the client is gone
				return
			}
			if s.fail > 0 {
				s.fail--
				s.mu.Unlock()
				say("451 try again later")
				continue
			}
			cur.Data = b.String()
			s.got = append(s.got, cur)
			s.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown")
		}
	}
}

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), // checked against the real clock by crypto/tls
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// angle is the address between < and > of a MAIL or RCPT line.
func angle(line string) string {
	_, rest, _ := strings.Cut(line, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}
