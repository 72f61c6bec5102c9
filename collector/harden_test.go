package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"teamlens/internal/testenv"
	"testing"
	"time"
)

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "teamlens test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// lockedLog collects a process's stderr.
type lockedLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lockedLog) add(s string) { l.mu.Lock(); l.lines = append(l.lines, s); l.mu.Unlock() }
func (l *lockedLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// served is a running "collector serve" process.
type served struct {
	cmd     *exec.Cmd
	addr    string
	logs    *lockedLog
	scanned chan struct{} // closed once stderr is read to its end
}

// startServe starts "collector serve args..." and waits until it listens.
func startServe(t *testing.T, bin string, args ...string) *served {
	t.Helper()
	s := &served{cmd: exec.Command(bin, append([]string{"serve"}, args...)...), logs: &lockedLog{}, scanned: make(chan struct{})}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); <-s.scanned; s.cmd.Wait() })
	addrCh := make(chan string, 1)
	go func() {
		defer close(s.scanned)
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`msg="collector listening" addr=(\S+)`)
		for sc.Scan() {
			s.logs.add(sc.Text())
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrCh <- m[1]
			}
		}
	}()
	select {
	case s.addr = <-addrCh:
	case <-s.scanned:
		t.Fatalf("collector exited:\n%s", s.logs.text())
	case <-time.After(60 * time.Second):
		t.Fatalf("collector did not start:\n%s", s.logs.text())
	}
	return s
}

// stop ends the process with SIGTERM and returns its whole log.
func (s *served) stop() string {
	s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.scanned
	s.cmd.Wait()
	return s.logs.text()
}

// TestHardenedServe runs a real collector process over TLS with the shared
// secret off and a user cap of 2: minted tokens enroll (and run out),
// the cap refuses a batch naming its day, usage.csv names the devices,
// /metrics is scraped, revoke --delete-data removes one device's days while
// the server runs, and the log has upload lines but no token or secret.
func TestHardenedServe(t *testing.T) {
	testenv.Short(t, "builds the binary")
	bin := testenv.Build(t, ".")
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	run := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("collector %v: %v\n%s%s", args, err, stdout.String(), stderr.String())
		}
		return stdout.String()
	}
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	for _, cmd := range []string{"serve", "revoke", "enroll-token"} {
		out, err := exec.Command(bin, cmd, "-h").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "example:") || !strings.Contains(string(out), "collector "+cmd) {
			t.Errorf("%s -h: %v\n%s", cmd, err, out)
		}
	}
	run("import", "--db", db, "--kind", "teams", file("t.csv", "team,name,plan,user_management\nT1,One,premium,named\n"))
	run("import", "--db", db, "--kind", "users", file("u.csv", "email,login,name\njdoe@x.com,jdoe,J\n"))
	run("import", "--db", db, "--kind", "subscriptions", file("s.csv", "subscription,team,product,type,seats,channel,start,end\nS1,T1,AutoCAD,single-user,3,online,2026-01-01,"+
		testenv.Today().AddDate(1, 0, 0).Format("2006-01-02")+"\n"))
	run("import", "--db", db, "--kind", "assignments", file("a.csv", "subscription,email,assigned_on\nS1,jdoe@x.com,2026-01-02\n"))
	admin := strings.TrimSpace(run("admin", "--db", db, "--team", "T1", "--email", "p@x.com", "--role", "primary"))
	enrollToken := strings.TrimSpace(run("enroll-token", "--db", db, "--expires", "1h", "--uses", "2"))
	if !strings.HasPrefix(enrollToken, "tle_") || strings.Contains(enrollToken, "\n") {
		t.Fatalf("enroll-token printed %q", enrollToken)
	}

	certFile, keyFile, pool := selfSigned(t, dir)
	srv := startServe(t, bin, "--db", db, "--listen", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile, "--max-device-users", "2")
	base := "https://" + srv.addr
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	do := func(method, path, token, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}

	// TLS: the pinned client gets through, a client that does not trust
	// the certificate and plain HTTP do not.
	if status, _ := do("GET", "/healthz", "", ""); status != 200 {
		t.Fatalf("healthz over TLS: %d", status)
	}
	if resp, err := http.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("a client without the certificate got through")
	}
	if resp, err := http.Get(strings.Replace(base, "https", "http", 1) + "/healthz"); err == nil {
		if resp.StatusCode == 200 {
			t.Error("plain HTTP answered 200")
		}
		resp.Body.Close()
	}

	enroll := func(secret string) (int, string, string) {
		status, body := do("POST", "/v1/enroll", "", `{"enroll_secret":"`+secret+`","hostname":"ws-`+strconv.Itoa(len(secret)%7)+`"}`)
		var r struct {
			ID    string `json:"device_id"`
			Token string `json:"device_token"`
		}
		json.Unmarshal(body, &r)
		return status, r.ID, r.Token
	}
	if status, _, _ := enroll(""); status != 401 {
		t.Errorf("empty secret with no shared secret: %d", status)
	}
	_, idA, tokA := enroll(enrollToken)
	_, idB, tokB := enroll(enrollToken)
	if idA == "" || idB == "" {
		t.Fatal("token did not enroll two devices")
	}
	if status, _, _ := enroll(enrollToken); status != 401 {
		t.Errorf("third use of a 2-use token: %d", status)
	}
	spare := strings.TrimSpace(run("enroll-token", "--db", db, "--uses", "5"))
	list := run("enroll-token", "--db", db, "--list")
	if strings.Contains(list, "tle_") || !strings.Contains(list, "2/2  ") || !strings.Contains(list, "0/5  ") {
		t.Errorf("enroll-token --list:\n%s", list)
	}
	spareID := regexp.MustCompile(`(?m)^(\S+) .* 0/5 `).FindStringSubmatch(list)
	if spareID == nil {
		t.Fatalf("no id for the spare token in\n%s", list)
	}
	run("enroll-token", "--db", db, "--revoke", spareID[1])
	if status, _, _ := enroll(spare); status != 401 {
		t.Errorf("revoked enroll token: %d", status)
	}

	today := time.Now().Format("2006-01-02")
	dayJSON := func(user string) string {
		return fmt.Sprintf(`{"date":%q,"user":%q,"product":"AutoCAD","version":"2027.1","minutes":10,"sessions":1}`, today, user)
	}
	upload := func(token string, users ...string) (int, []byte) {
		days := make([]string, len(users))
		for i, u := range users {
			days[i] = dayJSON(u)
		}
		return do("POST", "/v1/usage", token, `{"schema":1,"batch_id":"b","days":[`+strings.Join(days, ",")+`]}`)
	}
	if status, body := upload(tokA, "jdoe", "u2", "u3"); status != 400 || !strings.Contains(string(body), `"day":2`) {
		t.Errorf("over the cap: %d %s", status, body)
	}
	if status, body := upload(tokA, "jdoe", "u2"); status != 200 {
		t.Fatalf("at the cap: %d %s", status, body)
	}
	if status, body := upload(tokB, "jdoe"); status != 200 {
		t.Fatalf("device B: %d %s", status, body)
	}

	status, body := do("GET", "/v1/teams/T1/usage.csv?as_of="+today, admin, "")
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if status != 200 || err != nil || len(rows) != 2 {
		t.Fatalf("usage.csv: %d %v %s", status, err, body)
	}
	devices := rows[1][len(rows[1])-1]
	if rows[0][len(rows[0])-1] != "devices" || !strings.Contains(devices, idA) || !strings.Contains(devices, idB) {
		t.Errorf("usage.csv devices: %q", rows)
	}

	// The daily job computes yesterday's snapshots at start; wait for it.
	var page string
	for deadline := time.Now().Add(60 * time.Second); ; {
		_, b := do("GET", "/metrics", "", "")
		page = string(b)
		if strings.Contains(page, "teamlens_insights_job_duration_seconds_count 1") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, want := range []string{
		`teamlens_http_requests_total{code="200",route="POST /v1/usage"} 2`,
		`teamlens_http_requests_total{code="400",route="POST /v1/usage"} 1`,
		`teamlens_http_requests_total{code="401",route="POST /v1/enroll"} 3`,
		`teamlens_upload_days_total 3`,
		`teamlens_insights_job_duration_seconds_count 1`,
		`teamlens_database_size_bytes `,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	// Revoke device A with its data while the server runs.
	out := run("revoke", "--db", db, "--device", idA, "--delete-data")
	if !strings.Contains(out, "deleted 2 usage days") {
		t.Errorf("revoke printed %q", out)
	}
	if status, _ := upload(tokA, "jdoe"); status != 401 {
		t.Errorf("revoked device uploads: %d", status)
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var a, b int
	raw.QueryRow(`SELECT COUNT(*) FROM usage_days WHERE device_id = ?`, idA).Scan(&a)
	raw.QueryRow(`SELECT COUNT(*) FROM usage_days WHERE device_id = ?`, idB).Scan(&b)
	if a != 0 || b != 1 {
		t.Errorf("after revoke --delete-data: device A %d days, B %d; want 0 and 1", a, b)
	}

	text := srv.stop()
	for _, secret := range []string{enrollToken, tokA, tokB, admin} {
		if strings.Contains(text, secret) {
			t.Errorf("the log holds a token:\n%s", text)
		}
	}
	if !strings.Contains(text, `msg=upload device=`+idA+` days=2 status=200`) ||
		!strings.Contains(text, `msg="upload over the per-device user cap" device=`+idA) {
		t.Errorf("log lacks the upload lines:\n%s", text)
	}
}
