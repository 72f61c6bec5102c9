//go:build windows

package peercred_test

import (
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"

	"teamlens/agent/internal/peercred"
)

// TestGetNamesThePipeClient: the server end of a named pipe learns the
// client's process and the SID of its token; the client end, which has no
// client, gets an error rather than a guess. (Run under Wine by tests/wine.)
func TestGetNamesThePipeClient(t *testing.T) {
	pipe := fmt.Sprintf(`\\.\pipe\teamlens-peercred-test-%d`, os.Getpid())
	ln, err := winio.ListenPipe(pipe, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	// Wine (not Windows) lets the first client reach the listener's
	// placeholder instance, which never accepts: a client that is not
	// accepted in a while dials again.
	var client, server net.Conn
	for attempt := 0; server == nil; attempt++ {
		if attempt == 5 {
			t.Fatal("no client was accepted")
		}
		client, err = winio.DialPipe(pipe, nil)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case c, ok := <-accepted:
			if !ok {
				t.Fatal("accept failed")
			}
			server = c
		case <-time.After(3 * time.Second):
			client.Close()
		}
	}
	defer client.Close()
	defer server.Close()

	cred, err := peercred.Get(server)
	if err != nil {
		t.Fatal(err)
	}
	want, err := peercred.TokenSID(windows.GetCurrentProcessToken())
	if err != nil {
		t.Fatal(err)
	}
	if cred.UID != want {
		t.Errorf("SID %q, want this process's %q", cred.UID, want)
	}
	if cred.PID != os.Getpid() {
		t.Errorf("pid %d, want %d", cred.PID, os.Getpid())
	}
}
