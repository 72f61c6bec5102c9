//go:build windows

package localapi_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"teamlens/agent/internal/localapi"
	"teamlens/agent/internal/store"
	"teamlens/internal/testenv"
	"teamlens/shared/config"
	"teamlens/shared/localclient"
)

// TestPipeNamesTheCaller serves the local API on a named pipe, as the agent
// does on Windows: a client is the account of its process token
// (DOMAIN\user), and a second agent on the same pipe is refused while the
// first answers. (Run under Wine by tests/wine.)
func TestPipeNamesTheCaller(t *testing.T) {
	// Not t.TempDir: Wine fails to unlink the closed database ("Invalid
	// function"), and a leftover in a throwaway prefix harms nothing.
	dir, err := os.MkdirTemp("", "localapi")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, filepath.Join(dir, "data"), store.Options{Location: time.UTC, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetPolicy(ctx, config.Policy{Analytics: config.AnalyticsUserChoice, SeatUsage: true}); err != nil {
		t.Fatal(err)
	}
	pipe := fmt.Sprintf(`\\.\pipe\teamlens-localapi-test-%d`, os.Getpid())
	srv := localapi.New(localapi.Config{Store: st, Now: func() time.Time { return now }})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, pipe) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	c := localclient.NewClient(pipe)
	// Each try is short: Wine (not Windows) lets the first client reach
	// the listener's placeholder instance, which never answers.
	testenv.Eventually(t, time.Minute, "the pipe answers", func() error {
		try, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		return c.Health(try)
	})

	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	account, domain, _, err := u.User.Sid.LookupAccount("")
	if err != nil {
		t.Fatal(err)
	}
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := domain + `\` + account; me.User != want {
		t.Errorf("the pipe says the caller is %q, want %q", me.User, want)
	}
	if on, err := c.SetConsent(ctx, true); err != nil || !on {
		t.Fatalf("consent on: %v, %v", on, err)
	}
	if on, err := st.Consent(ctx, me.User); err != nil || !on {
		t.Errorf("the store holds consent %v for %s (%v)", on, me.User, err)
	}

	err = localapi.New(localapi.Config{Store: st}).Serve(ctx, pipe)
	if err == nil || !strings.Contains(err.Error(), "another agent answers") {
		t.Errorf("a second agent on the pipe: %v", err)
	}
	err = localapi.New(localapi.Config{Store: st}).Serve(ctx, `C:\agent.sock`)
	if err == nil || !strings.Contains(err.Error(), "names a pipe") {
		t.Errorf("a file path as the local API: %v", err)
	}
}

// TestPipeSecurityDescriptor: the pipe's DACL denies network logons
// before anything else and lets SYSTEM, administrators and interactive
// users in, nobody more.
func TestPipeSecurityDescriptor(t *testing.T) {
	sd, err := windows.SecurityDescriptorFromString(localapi.PipeSDDL)
	if err != nil {
		t.Fatal(err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		typ byte
		sid windows.WELL_KNOWN_SID_TYPE
	}{
		{windows.ACCESS_DENIED_ACE_TYPE, windows.WinNetworkSid},
		{windows.ACCESS_ALLOWED_ACE_TYPE, windows.WinLocalSystemSid},
		{windows.ACCESS_ALLOWED_ACE_TYPE, windows.WinBuiltinAdministratorsSid},
		{windows.ACCESS_ALLOWED_ACE_TYPE, windows.WinInteractiveSid},
	}
	if int(dacl.AceCount) != len(want) {
		t.Fatalf("%d ACEs, want %d", dacl.AceCount, len(want))
	}
	for i, w := range want {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, uint32(i), &ace); err != nil {
			t.Fatal(err)
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		ws, _ := windows.CreateWellKnownSid(w.sid)
		if ace.Header.AceType != w.typ || !sid.Equals(ws) {
			t.Errorf("ACE %d: type %d sid %s, want type %d sid %s", i, ace.Header.AceType, sid, w.typ, ws)
		}
	}
	if ctl, _, _ := sd.Control(); ctl&windows.SE_DACL_PROTECTED == 0 {
		t.Error("the DACL inherits: it must be protected (P)")
	}
}
