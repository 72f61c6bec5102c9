package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"teamlens/collector/internal/cli"
)

// TestServeFinishesInFlightRequests cancels Serve while an upload is half
// sent: the listener closes, and the upload still completes.
func TestServeFinishesInFlightRequests(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- cli.Serve(ctx, cli.ServeConfig{DB: filepath.Join(t.TempDir(), "c.db"), Listen: "127.0.0.1:0", EnrollSecret: "s",
			InsightsHour: 2, Logger: discard(), Ready: func(addr string) { ready <- addr }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+addr+"/v1/enroll", "application/json", strings.NewReader(`{"enroll_secret":"s","hostname":"h"}`))
	if err != nil {
		t.Fatal(err)
	}
	var enrolled struct {
		Token string `json:"device_token"`
	}
	json.NewDecoder(resp.Body).Decode(&enrolled)
	resp.Body.Close()

	body := `{"schema":1,"batch_id":"b","days":[]}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// With Expect: 100-continue the server answers "100 Continue" once the
	// handler reads the body: proof the request is in flight.
	fmt.Fprintf(conn, "POST /v1/usage HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n",
		enrolled.Token, len(body))
	br := bufio.NewReader(conn)
	if r, err := http.ReadResponse(br, nil); err != nil || r.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue, got %v %v", r, err)
	}
	fmt.Fprint(conn, body[:10])

	cancel()
	// Wait until the server stops accepting connections: shutdown has begun.
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
	}
	fmt.Fprint(conn, body[10:])
	r, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight request cut off: %v", err)
	}
	if r.StatusCode != 200 {
		t.Errorf("in-flight request got %d", r.StatusCode)
	}
	r.Body.Close()
	conn.Close()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
}

func TestLoadCatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.toml")
	writeFile(t, path, "[[product]]\nname = \"Rhino\"\nprocesses = [\"rhino\"]\n[product.categories]\nDraw = [\"CURVE\"]\n")
	cat, err := cli.LoadCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cat.Lookup("rhino"); !ok {
		t.Error("configured product missing")
	}
	if _, ok := cat.Lookup("AutoCAD"); !ok {
		t.Error("built-in product missing")
	}
	if got := cat.Category("Rhino", "CURVE"); got != "Draw" {
		t.Errorf("category %q", got)
	}
	writeFile(t, path, "[[product]]\nprocesses = [\"x\"]\n")
	if _, err := cli.LoadCatalog(path); err == nil {
		t.Error("nameless product accepted")
	}
}
