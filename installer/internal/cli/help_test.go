//go:build !windows

package cli

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
)

// TestHelp: every command answers --help with what it does, each of its
// flags and an example, and exits 0; usage errors exit 2 naming the flag.
func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "commands:") {
		t.Fatalf("installer --help: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, c := range []*command{installCommand(&stderr), statusCommand(&stdout), uninstallCommand(), packageCommand(&stdout, &stderr)} {
		sub := strings.TrimPrefix(c.Name, "installer ")
		t.Run(sub, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), []string{sub, "--help"}, &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			text := out.String()
			for _, want := range []string{c.Summary, "example:", "usage: installer " + sub} {
				if !strings.Contains(text, want) {
					t.Errorf("help lacks %q:\n%s", want, text)
				}
			}
			c.Flags.VisitAll(func(f *flag.Flag) {
				if !strings.Contains(text, "--"+f.Name) {
					t.Errorf("help does not name --%s", f.Name)
				}
			})
		})
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"package", "--collector", "https://c"}, "missing required flag --format"},
		{[]string{"package", "--format", "deb", "--component", "x"}, "--component must be agent or collector"},
		{[]string{"install", "--collector", "127.0.0.1:8080", "--enroll-secret", "s"}, "http:// or https://"},
		{[]string{"install", "--colector", "x"}, "colector"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), tc.args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("installer %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut.String(), tc.want)
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--version"}, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "installer ") {
		t.Errorf("--version: exit %d, %q", code, out.String())
	}
}
