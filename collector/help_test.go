package main

import (
	"flag"
	"os/exec"
	"path/filepath"
	"strings"
	"teamlens/collector/internal/cli"
	"teamlens/internal/testenv"
	"testing"
)

// TestHelp: every command answers --help with what it does, each of its
// flags and an example, and exits 0; a missing required flag names itself.
func TestHelp(t *testing.T) {
	testenv.Short(t, "builds the binary")
	bin := testenv.Build(t, ".")
	out, err := exec.Command(bin, "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "commands:") {
		t.Fatalf("collector --help: %v\n%s", err, out)
	}
	for _, c := range cli.Commands() {
		sub := strings.TrimPrefix(c.Name, "collector ")
		t.Run(sub, func(t *testing.T) {
			out, err := exec.Command(bin, sub, "--help").CombinedOutput()
			if err != nil {
				t.Fatalf("collector %s --help: %v\n%s", sub, err, out)
			}
			text := string(out)
			for _, want := range []string{c.Summary, "example:", "usage: collector " + sub} {
				if !strings.Contains(text, want) {
					t.Errorf("help lacks %q:\n%s", want, text)
				}
			}
			c.Flags.VisitAll(func(f *flag.Flag) {
				if !strings.Contains(text, "--"+f.Name) {
					t.Errorf("help does not name --%s", f.Name)
				}
			})
			if len(c.Required) == 0 {
				return
			}
			args := []string{sub, "--db", filepath.Join(t.TempDir(), "c.db")}
			if c.NArgs > 0 {
				args = append(args, "file.csv")
			}
			out, err = exec.Command(bin, args...).CombinedOutput()
			if code := exitCode(err); code != 2 || !strings.Contains(string(out), "--"+c.Required[0]) {
				t.Errorf("without --%s: exit %d, %s", c.Required[0], code, out)
			}
		})
	}
	if out, err := exec.Command(bin, "--version").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "collector ") {
		t.Errorf("--version: %v %s", err, out)
	}
}

// TestReadCommandsRefuseAMissingDatabase: a typo in --db is an error, not
// a new empty database.
func TestReadCommandsRefuseAMissingDatabase(t *testing.T) {
	testenv.Short(t, "builds the binary")
	bin := testenv.Build(t, ".")
	db := filepath.Join(t.TempDir(), "typo.db")
	for _, args := range [][]string{{"insights", "--as-of", "2026-11-01"}, {"revoke", "--device", "x"}} {
		out, err := exec.Command(bin, append(args, "--db", db)...).CombinedOutput()
		if exitCode(err) != 1 || !strings.Contains(string(out), "does not exist") {
			t.Errorf("collector %v: %v %s", args, err, out)
		}
	}
	if _, err := exec.Command("test", "-e", db).CombinedOutput(); err == nil {
		t.Errorf("%s was created", db)
	}
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
