//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"teamlens/internal/testenv"
)

// asCLI runs the agent binary as u with runuser, HOME set to home.
func asCLI(u *user.User, home string, args ...string) (string, error) {
	cmd := exec.Command("runuser", append([]string{"-u", u.Username, "--", agentBin}, args...)...)
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "XDG_DATA_HOME="}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestUserCommandsGoThroughTheService runs consent, status, export and
// forget as a real user other than root against the real agent: the
// agent, by the socket's peer credentials, acts on that user's data only;
// with no agent answering the commands fail and write nothing.
func TestUserCommandsGoThroughTheService(t *testing.T) {
	testenv.NeedRoot(t, "create OS users and run commands as them")
	u := osUser(t, "tlsaudrey")
	e := newEnv(t)
	for dir := filepath.Dir(e.spool); dir != os.TempDir() && dir != "/"; dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Dir(agentBin), 0o755); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(filepath.Dir(e.spool), "home")
	uid, _ := strconv.Atoi(u.Uid)
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, uid, -1); err != nil {
		t.Fatal(err)
	}
	me, _ := user.Current()
	e.cli(t, "consent", "--user", me.Username, "on")
	e.start(t)
	waitSocket(t, e.socket)
	asUser(t, u, filepath.Join(e.spool, "a.jsonl"), `{"v":1,"ts":"`+recentStart.Format(time.RFC3339)+`","product":"AutoCAD","version":"2027.1","session":"a1","type":"session.start"}`+"\n")
	if err := os.WriteFile(filepath.Join(e.spool, "r.jsonl"), []byte(line("root1", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(t, 2)
	sock := "--socket=" + e.socket
	run := func(args ...string) string {
		t.Helper()
		out, err := asCLI(u, home, args...)
		if err != nil {
			t.Fatalf("agent %v as %s: %v\n%s", args, u.Username, err, out)
		}
		return out
	}

	if out := run("consent", sock, "--user", u.Username, "on"); strings.TrimSpace(out) != "on" {
		t.Fatalf("consent on printed %q", out)
	}
	if got := strings.TrimSpace(string(e.cli(t, "consent", "--user", u.Username, "status"))); got != "on" {
		t.Fatalf("the service holds consent %q for %s, want on", got, u.Username)
	}
	var st struct {
		Consent map[string]string `json:"consent"`
		Counts  struct{ Events int }
	}
	if err := json.Unmarshal([]byte(run("status", sock)), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Consent) != 1 || st.Consent[u.Username] != "on" || st.Counts.Events != 2 {
		t.Fatalf("status as %s: %+v", u.Username, st)
	}
	var x export
	if err := json.Unmarshal([]byte(run("export", sock)), &x); err != nil {
		t.Fatal(err)
	}
	if len(x.Events) != 1 || x.Events[0]["session"] != "a1" {
		t.Fatalf("export as %s: %v", u.Username, x.Events)
	}
	for _, args := range [][]string{
		{"consent", sock, "--user", me.Username, "off"},
		{"export", sock, "--user", me.Username},
		{"forget", sock, "--user", me.Username},
		{"requeue", sock},
	} {
		if out, err := asCLI(u, home, args...); err == nil {
			t.Fatalf("agent %v as %s succeeded: %s", args, u.Username, out)
		}
	}
	if out := run("consent", sock, "--user", u.Username, "off", "--withdraw"); !strings.HasPrefix(out, "off (withdrawn") {
		t.Fatalf("consent off --withdraw printed %q", out)
	}
	if got := strings.TrimSpace(string(e.cli(t, "consent", "--user", u.Username, "status"))); got != "off" {
		t.Fatalf("after withdrawing the service holds consent %q", got)
	}
	run("forget", sock, "--user", u.Username)
	if x := e.export(t, "--user", u.Username); len(x.Events) != 0 || len(x.Days) != 0 {
		t.Fatalf("after forget the service still holds %v", x)
	}
	if x := e.export(t, "--user", me.Username); len(x.Events) != 1 {
		t.Fatalf("another user's forget touched root's data: %v", x.Events)
	}

	// No agent answers: every command says so, fails and writes nothing.
	none := "--socket=" + filepath.Join(home, "none.sock")
	for _, args := range [][]string{
		{"consent", none, "--user", u.Username, "on"},
		{"consent", none, "--user", u.Username, "off", "--withdraw"},
		{"status", none},
		{"export", none},
		{"forget", none, "--user", u.Username},
		{"status", "--data-dir", filepath.Join(home, "typo")},
		{"consent", "--data-dir", filepath.Join(home, "typo"), "--user", u.Username, "on"},
	} {
		out, err := asCLI(u, home, args...)
		if err == nil || !strings.Contains(out, "no agent answers on") {
			t.Fatalf("agent %v with no agent: %v %q", args, err, out)
		}
	}
	var written []string
	filepath.WalkDir(home, func(path string, d os.DirEntry, err error) error {
		if path != home {
			written = append(written, path)
		}
		return nil
	})
	if len(written) > 0 {
		t.Fatalf("commands with no agent wrote %v", written)
	}
}

// TestReadingCommandsNeedADatabase: a mistyped --data-dir is an error and
// creates nothing.
func TestReadingCommandsNeedADatabase(t *testing.T) {
	testenv.NeedRoot(t, "open the database directly (other users go through the socket)")
	typo := filepath.Join(t.TempDir(), "typo")
	for _, args := range [][]string{
		{"status"}, {"export"}, {"forget", "--user", "x"}, {"consent", "--user", "x", "status"}, {"requeue"},
	} {
		out, err := exec.Command(agentBin, append(args, "--data-dir", typo)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "no agent database at") {
			t.Fatalf("agent %v --data-dir typo: %v %s", args, err, out)
		}
		if _, err := os.Stat(typo); !os.IsNotExist(err) {
			t.Fatalf("agent %v created %s", args, typo)
		}
	}
}
