// Package testenv is what tests share about their environment: skips for a
// missing capability (root, PostgreSQL, an X display) that CI turns into
// failures, and one way to wait for a condition.
package testenv

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// RequireAll is the environment variable that makes a missing capability
// fail a test instead of skipping it. CI sets it (.ci/run): there a skip
// would hide a test that never ran.
const RequireAll = "TEAMLENS_REQUIRE_ALL"

// Missing skips t because the environment lacks what it needs, or fails
// it when RequireAll is set.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(RequireAll) == "1" {
		t.Fatalf("%s (and %s=1: every test must run here)", msg, RequireAll)
	}
	t.Skip(msg)
}

// NeedRoot stops a test that must run as root when it does not.
func NeedRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "needs root to %s", why)
	}
}

// PostgresURL is the test server's URL from TEAMLENS_PG_URL; without it
// the test stops.
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("TEAMLENS_PG_URL")
	if url == "" {
		Missing(t, "TEAMLENS_PG_URL is unset (run scripts/pg.sh)")
	}
	return url
}

// Display is an X display of t's own: a fresh Xvfb when one is installed,
// so that two tests' windows never share a screen (a screenshot of one
// must not show the other's window on top), or else the display in
// DISPLAY. Without either the test stops. The display goes with the test.
func Display(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		if d := os.Getenv("DISPLAY"); d != "" {
			return d
		}
		Missing(t, "needs an X display: install Xvfb or set DISPLAY")
	}
	// Xvfb picks a free display and writes its number once it accepts
	// clients.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x900x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { _ = x.Process.Kill(); _ = x.Wait() })
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatal("Xvfb exited without a display")
		}
		return ":" + n
	case <-time.After(30 * time.Second):
		t.Fatal("Xvfb gave no display in 30 s")
	}
	return ""
}

// Eventually calls cond until it returns nil, failing t with what and the
// last error when timeout passes first.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not so after %s: %v", what, timeout, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Partly notes that t covers less than it could here (one engine of two),
// or fails it when RequireAll is set.
func Partly(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(RequireAll) == "1" {
		t.Fatalf("%s (and %s=1: every test must run here)", msg, RequireAll)
	}
	t.Log(msg)
}
