package console_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

// multipartBody is a form whose one file part is bigger than the memory
// Go's ParseMultipartForm keeps, so parsing it spools to a temp file.
func multipartBody(t *testing.T, size int) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", "wrong")
	mw.WriteField("token", "x")
	fw, err := mw.CreateFormFile("blob", "blob.bin")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte{'a'}, size))
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// The attack of issue 26 (2): a multipart POST /signin, without signing in,
// left its body on disk after the answer. Now it is refused unread.
func TestMultipartFormsLeaveNothingOnDisk(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, path := range []string{"/signin", "/signout", "/teams/T1/recompute"} {
		body, ct := multipartBody(t, 12<<20)
		resp, err := s.srv.Client().Post(s.srv.URL+path, ct, body)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("multipart POST %s: %d, want 415", path, resp.StatusCode)
		}
		left, _ := os.ReadDir(tmp)
		if len(left) != 0 {
			t.Fatalf("POST %s left %d file(s) on disk, first %s", path, len(left), left[0].Name())
		}
	}
}

func TestFormOverTheLimitIsRefused(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	big := "csrf=x&token=" + strings.Repeat("a", 1<<20)
	resp, err := s.srv.Client().Post(s.srv.URL+"/signin", "application/x-www-form-urlencoded", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MiB sign-in form: %d, want 413", resp.StatusCode)
	}
}

// gate is a request body that says when the handler first reads it and
// then holds the request until released.
type gate struct {
	reading chan struct{}
	release chan struct{}
	once    sync.Once
	done    bool
}

func (g *gate) Read(p []byte) (int, error) {
	g.once.Do(func() { close(g.reading) })
	if g.done {
		return 0, io.EOF
	}
	<-g.release
	g.done = true
	return copy(p, "csrf=x"), nil
}

// One client address holds at most 8 console requests at once; the ninth
// is 429 while another address goes on.
func TestConcurrentRequestsPerClientAreBounded(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		g := &gate{reading: make(chan struct{}), release: release}
		req := httptest.NewRequest("POST", "/signin", g)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = "203.0.113.9:1000"
		// With a sign-in cookie the handler reads the form whatever guards it.
		req.AddCookie(&http.Cookie{Name: "teamlens_signin", Value: "x"})
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.h.ServeHTTP(httptest.NewRecorder(), req)
		}()
		<-g.reading
	}
	try := func(addr string) int {
		req := httptest.NewRequest("GET", "/signin", nil)
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := try("203.0.113.9:2000"); got != http.StatusTooManyRequests {
		t.Errorf("ninth request of one address: %d, want 429", got)
	}
	if got := try("203.0.113.10:2000"); got != http.StatusOK {
		t.Errorf("another address meanwhile: %d, want 200", got)
	}
	close(release)
	wg.Wait()
	if got := try("203.0.113.9:3000"); got != http.StatusOK {
		t.Errorf("after the eight ended: %d, want 200", got)
	}
}
