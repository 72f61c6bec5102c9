package main

import (
	"os/exec"
	"strings"
	"teamlens/internal/testenv"
	"testing"
)

// viewer --help answers with its flags and nothing else, also under a C
// locale with a codeset, which Fyne's init would otherwise log as an error.
func TestHelpWithoutLocaleError(t *testing.T) {
	bin := testenv.Build(t, ".")
	for _, env := range [][]string{
		{"LANG=C.UTF-8"}, {"LC_ALL=C.UTF-8", "LANG=en_US.UTF-8"}, {"LC_MESSAGES=POSIX.UTF-8"}, {"LANG=C"}, {"LANG=en_GB.UTF-8"}, {},
	} {
		cmd := exec.Command(bin, "--help")
		cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}, env...)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "error") || !strings.Contains(string(out), "-socket") || !strings.Contains(string(out), "opens My Insights") {
			t.Errorf("%v viewer --help: %v\n%s", env, err, out)
		}
	}
}
