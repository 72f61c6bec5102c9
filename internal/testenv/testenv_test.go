package testenv_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"teamlens/internal/testenv"
)

// TestMissingFailsUnderRequireAll runs a skipping test in a child process
// with and without TEAMLENS_REQUIRE_ALL.
func TestMissingFailsUnderRequireAll(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") == "1" {
		testenv.Missing(t, "no such thing here")
		return
	}
	for _, tc := range []struct {
		env  string
		fail bool
	}{{"", false}, {"1", true}} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestMissingFailsUnderRequireAll$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", testenv.RequireAll+"="+tc.env)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if failed := errors.As(err, &exit); failed != tc.fail {
			t.Fatalf("%s=%q: failed=%v, want %v\n%s", testenv.RequireAll, tc.env, failed, tc.fail, out)
		}
		if !tc.fail && !strings.Contains(string(out), "SKIP") {
			t.Fatalf("not skipped:\n%s", out)
		}
	}
}
