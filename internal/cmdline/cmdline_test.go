package cmdline_test

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"teamlens/internal/cmdline"
)

func newImport() (*cmdline.Command, *string, *bool) {
	fs := flag.NewFlagSet("collector import", flag.ContinueOnError)
	db := fs.String("db", "/var/lib/x.db", "database `PATH`")
	replace := fs.Bool("replace", false, "make the file the whole truth")
	fs.String("kind", "", "teams|users")
	return &cmdline.Command{Name: "collector import", Summary: "Imports a CSV file.", Args: "FILE.csv", NArgs: 1,
		Example: "collector import --kind teams teams.csv", Required: []string{"kind"}, Flags: fs}, db, replace
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in the error or the help
	}{
		{"flags after the file", []string{"f.csv", "--kind", "teams", "--replace"}, 0, ""},
		{"help", []string{"--help"}, 0, "Imports a CSV file."},
		{"short help", []string{"-h"}, 0, "--replace"},
		{"missing required", []string{"f.csv"}, 2, "missing required flag --kind"},
		{"missing file", []string{"--kind", "teams"}, 2, "missing FILE.csv"},
		{"extra argument", []string{"--kind", "teams", "a", "b"}, 2, `unexpected argument "b"`},
		{"unknown flag", []string{"--kinds", "x"}, 2, "-kinds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, replace := newImport()
			var out bytes.Buffer
			pos, err := c.Parse(tc.args, &out)
			if got := cmdline.ExitCode(err); got != tc.code {
				t.Fatalf("exit code %d, want %d (err %v)", got, tc.code, err)
			}
			text := out.String()
			if err != nil {
				text += err.Error()
			}
			if !strings.Contains(text, tc.want) {
				t.Fatalf("output %q lacks %q", text, tc.want)
			}
			if tc.name == "flags after the file" && (len(pos) != 1 || pos[0] != "f.csv" || !*replace) {
				t.Fatalf("positional %v, replace %v", pos, *replace)
			}
		})
	}
}

func TestHelpNamesEveryFlagWithDefaults(t *testing.T) {
	c, _, _ := newImport()
	var out bytes.Buffer
	c.Help(&out)
	for _, want := range []string{"usage: collector import [flags] FILE.csv", "--db PATH", "(default /var/lib/x.db)",
		"--kind", "(required)", "--replace", "example:\n  collector import --kind teams teams.csv"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
}

func TestProgramSelect(t *testing.T) {
	c, _, _ := newImport()
	p := &cmdline.Program{Name: "collector", Summary: "The Teamlens server.", Commands: []*cmdline.Command{c}}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "commands:\n  import"},
		{[]string{"--help"}, 0, "The Teamlens server."},
		{[]string{"help", "import"}, 0, "Imports a CSV file."},
		{[]string{"--version"}, 0, "collector dev"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
	} {
		var out bytes.Buffer
		_, _, err := p.Select(tc.args, &out)
		text := out.String()
		if err != nil {
			text += err.Error()
		}
		if cmdline.ExitCode(err) != tc.code || !strings.Contains(text, tc.want) {
			t.Errorf("Select(%q): code %d, output %q; want %d and %q", tc.args, cmdline.ExitCode(err), text, tc.code, tc.want)
		}
	}
	got, rest, err := p.Select([]string{"import", "x.csv"}, new(bytes.Buffer))
	if err != nil || got != c || len(rest) != 1 {
		t.Fatalf("Select(import): %v %v %v", got, rest, err)
	}
	if errors.Is(err, cmdline.ErrHelp) {
		t.Fatal("a command is not help")
	}
}
