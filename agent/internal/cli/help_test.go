//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package cli

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"teamlens/internal/cmdline"
)

// TestHelp: every command answers --help with what it does, each of its
// flags and an example (exit 0); a missing required flag names itself.
func TestHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"--help"}, &out, &errOut); cmdline.ExitCode(err) != 0 || !strings.Contains(out.String(), "commands:") {
		t.Fatalf("agent --help: %v\n%s", err, out.String())
	}
	var f flags
	for _, c := range program(commands(&f)).Commands {
		sub := strings.TrimPrefix(c.Name, "agent ")
		t.Run(sub, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run([]string{sub, "--help"}, &out, &errOut)
			if cmdline.ExitCode(err) != 0 {
				t.Fatalf("agent %s --help: %v %s", sub, err, errOut.String())
			}
			text := out.String()
			for _, want := range []string{c.Summary, "example:", "usage: agent " + sub} {
				if !strings.Contains(text, want) {
					t.Errorf("help lacks %q:\n%s", want, text)
				}
			}
			if c.Flags != nil {
				c.Flags.VisitAll(func(fl *flag.Flag) {
					if !strings.Contains(text, "--"+fl.Name) {
						t.Errorf("help does not name --%s", fl.Name)
					}
				})
			}
		})
	}
	err := run([]string{"consent", "on"}, &out, &errOut)
	if cmdline.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--user") {
		t.Errorf("agent consent on without --user: %v", err)
	}
	if err := run([]string{"--version"}, &out, &errOut); cmdline.ExitCode(err) != 0 {
		t.Errorf("--version: %v", err)
	}
}
