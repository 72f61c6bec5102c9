package main

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"teamlens/internal/testenv"
	"testing"

	_ "modernc.org/sqlite"
)

// TestDeps keeps the collector free of the desktop and service stacks.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"fyne.io/", "github.com/kardianos/service", "github.com/shirou/gopsutil"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("collector links %s", dep)
			}
		}
	}
}

func TestCommands(t *testing.T) {
	testenv.Short(t, "builds the binary")
	bin := testenv.Build(t, ".")
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	run := func(wantOK bool, args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if (err == nil) != wantOK {
			t.Fatalf("collector %v: err %v, stdout %s, stderr %s", args, err, stdout.String(), stderr.String())
		}
		return stdout.String() + stderr.String()
	}
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run(true, "import", "--db", db, "--kind", "teams", file("teams.csv", "team,name,plan,user_management\nT1,One,premium,named\n"))
	run(true, "import", "--db", db, "--kind", "users", file("users.csv", "email,login,name\na@x.com,a,A\nb@x.com,b,B\n"))
	subs := file("subs.csv", "subscription,team,product,type,seats,channel,start,end\n"+
		"S1,T1,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\n"+
		"S2,T1,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\n"+
		"S3,T1,AutoCAD,single-user,x,online,2026-01-01,2026-12-31\n")
	out := run(false, "import", "--db", db, "--kind", "subscriptions", subs)
	if !strings.Contains(out, `line 4, column seats: "x" is not a whole number`) {
		t.Errorf("bad file error: %s", out)
	}
	// A row that refers to a team not imported fails the whole file too,
	// after good rows were written inside the transaction.
	out = run(false, "import", "--db", db, "--kind", "subscriptions", file("subs2.csv", "subscription,team,product,type,seats,channel,start,end\n"+
		"S1,T1,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\n"+
		"S9,T9,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\n"))
	if !strings.Contains(out, `line 3, column team: team "T9" is not imported`) {
		t.Errorf("unknown team error: %s", out)
	}
	if n := count(t, db, "subscriptions"); n != 0 {
		t.Fatalf("%d subscriptions stored from rejected files", n)
	}
	good := file("subs3.csv", "subscription,team,product,type,seats,channel,start,end\nS1,T1,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\n")
	run(true, "import", "--db", db, "--kind", "subscriptions", good)
	run(true, "import", good, "--db", db, "--kind", "subscriptions") // re-import is an upsert; flags may follow
	if n := count(t, db, "subscriptions"); n != 1 {
		t.Fatalf("%d subscriptions after re-import", n)
	}
	run(true, "import", "--db", db, "--kind", "assignments", file("as.csv", "subscription,email,assigned_on\nS1,a@x.com,2026-01-05\n"))

	token := strings.TrimSpace(run(true, "admin", "--db", db, "--team", "T1", "--email", "p@x.com", "--role", "primary", "--can-purchase"))
	if len(token) < 40 || strings.ContainsAny(token, " \n") {
		t.Errorf("admin printed %q, want one token", token)
	}
	run(false, "admin", "--db", db, "--team", "T1", "--email", "p@x.com", "--role", "boss")
	run(false, "admin", "--db", db, "--team", "T9", "--email", "p@x.com", "--role", "primary")

	if out := run(true, "insights", "--db", db, "--as-of", "2026-11-26"); !strings.Contains(out, "T1") {
		t.Errorf("insights printed %q", out)
	}
	run(false, "insights", "--db", db, "--as-of", "26/11/2026")
	run(false, "revoke", "--db", db, "--device", "nope")
	run(false, "frobnicate")
	run(false, "serve", "--db", db, "--tls-cert", "cert.pem") // no --tls-key
}

func count(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
