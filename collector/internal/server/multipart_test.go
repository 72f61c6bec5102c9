package server_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store/storetest"
)

// Whatever a handler behind the API parses into temporary files is gone
// when the request ends, though handlers see observe's copy of the request
// and Go's server cleans only its own (issue 26, 2).
func TestNoRequestFileOutlivesTheRequest(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	st := storetest.Open(t, storetest.SQLiteDSN(t))
	parsed := false
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 10); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		left, _ := os.ReadDir(tmp)
		parsed = len(left) > 0
	})
	srv := httptest.NewServer(server.New(server.Config{Store: st, EnrollSecret: "s", Console: ui}))
	defer srv.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("blob", "blob.bin")
	fw.Write(bytes.Repeat([]byte{'a'}, 1<<20))
	mw.Close()
	resp, err := srv.Client().Post(srv.URL+"/anything", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !parsed {
		t.Fatalf("the handler's parse wrote no file (status %d): the test proves nothing", resp.StatusCode)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("%d file(s) outlived the request: %s", len(left), left[0].Name())
	}
}
