package peercred_test

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"teamlens/agent/internal/peercred"
)

func TestGetNamesThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("peer credentials are read on linux and darwin only")
	}
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	client, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	defer server.Close()

	for name, conn := range map[string]net.Conn{"server side": server, "client side": client} {
		cred, err := peercred.Get(conn)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := strconv.Itoa(os.Getuid()); cred.UID != want {
			t.Errorf("%s: uid %q, want %q", name, cred.UID, want)
		}
		if runtime.GOOS == "linux" && cred.PID != os.Getpid() {
			t.Errorf("%s: pid %d, want %d", name, cred.PID, os.Getpid())
		}
	}
}

func TestGetRefusesOtherConnections(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if _, err := peercred.Get(a); err == nil {
		t.Fatal("a pipe has no peer credentials, yet Get answered")
	}
}
