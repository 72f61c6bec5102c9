// Package testenv is what tests share about their environment: skips for a
// missing capability (root, PostgreSQL, an X display) that CI turns into
// failures, and one way to wait for a condition.
package testenv

import (
	"fmt"
	"os"
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

// NeedDisplay stops a test that needs an X display when DISPLAY is unset.
func NeedDisplay(t testing.TB) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		Missing(t, "needs an X display: run under Xvfb with DISPLAY set")
	}
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
