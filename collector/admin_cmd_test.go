package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"teamlens/internal/testenv"
	"testing"
)

// TestAdminTokensAndReplaceCommands drives the built binary: --expires,
// --list, --revoke, import --replace and each new command's -h.
func TestAdminTokensAndReplaceCommands(t *testing.T) {
	testenv.Short(t, "builds the binary")
	bin := testenv.Build(t, ".")
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	run := func(wantOK bool, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); (err == nil) != wantOK {
			t.Fatalf("collector %v: err %v, output %s", args, err, out.String())
		}
		return out.String()
	}
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, cmd := range []string{"admin", "import"} {
		out := run(true, cmd, "-h")
		for _, want := range []string{"collector " + cmd, "example:", "-db"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s -h lacks %q:\n%s", cmd, want, out)
			}
		}
	}
	if out := run(true, "admin", "--help"); !strings.Contains(out, "-expires") || !strings.Contains(out, "-revoke") || !strings.Contains(out, "-list") {
		t.Errorf("admin --help lacks the token flags:\n%s", out)
	}
	run(true, "import", "--db", db, "--kind", "teams", file("teams.csv", "team,name,plan,user_management\nT1,One,premium,named\n"))
	run(true, "import", "--db", db, "--kind", "users", file("u1.csv", "email,login,name\na@x.com,a,A\nb@x.com,b,B\n"))
	out := run(true, "import", "--db", db, "--kind", "users", "--replace", file("u2.csv", "email,login,name\na@x.com,a,Anne\nc@x.com,c,C\n"))
	if !strings.Contains(out, "1 added, 1 changed, 1 removed, 0 unchanged") {
		t.Errorf("replace summary: %s", out)
	}
	if n := count(t, db, "users"); n != 2 {
		t.Errorf("%d users after replace, want 2", n)
	}
	// A file that fails on its second row changes nothing, removals included.
	out = run(false, "import", "--db", db, "--kind", "users", "--replace", file("u3.csv", "email,login,name\nz@x.com,z,Z\nbad,b,B\n"))
	if !strings.Contains(out, "line 3") || count(t, db, "users") != 2 {
		t.Errorf("failed replace: %s, %d users", out, count(t, db, "users"))
	}
	run(true, "import", "--db", db, "--kind", "subscriptions", file("s1.csv", "subscription,team,product,type,seats,channel,start,end\nS1,T1,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\n"))
	run(true, "import", "--db", db, "--kind", "assignments", file("a1.csv", "subscription,email,assigned_on\nS1,a@x.com,2026-01-02\n"))
	out = run(false, "import", "--db", db, "--kind", "subscriptions", "--replace", file("s2.csv", "subscription,team,product,type,seats,channel,start,end\nS2,T1,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\nS3,T9,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\n"))
	if !strings.Contains(out, "nothing changed") || count(t, db, "subscriptions") != 1 || count(t, db, "assignments") != 1 {
		t.Errorf("replace failing on its second row (S2 added, S1 due for removal): %s", out)
	}

	run(false, "admin", "--db", db, "--team", "T1", "--email", "p@x.com", "--role", "primary", "--expires", "yesterday")
	run(false, "admin", "--db", db, "--team", "T1", "--email", "p@x.com", "--role", "primary", "--expires", "2001-01-01")
	run(true, "admin", "--db", db, "--team", "T1", "--email", "p@x.com", "--role", "primary", "--expires", "30d")
	run(true, "admin", "--db", db, "--team", "T1", "--email", "s@x.com", "--role", "secondary")
	list := run(true, "admin", "--db", db, "--list")
	for _, want := range []string{"p@x.com", "s@x.com", "primary", "secondary", "active"} {
		if !strings.Contains(list, want) {
			t.Errorf("--list lacks %q:\n%s", want, list)
		}
	}
	if out := run(true, "admin", "--db", db, "--revoke", "P@x.com"); !strings.Contains(out, "revoked 1 token") {
		t.Errorf("revoke: %s", out)
	}
	if list := run(true, "admin", "--db", db, "--list"); !strings.Contains(list, "revoked") {
		t.Errorf("--list after revoke:\n%s", list)
	}
	run(false, "admin", "--db", db, "--revoke", "nobody@x.com")
	run(false, "admin", "--db", db, "--team", "T1") // no email or role
}
