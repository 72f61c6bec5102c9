//go:build !windows

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"teamlens/internal/testenv"
	"teamlens/shared/journal"
)

// The end-to-end tests install the real agent, built from this checkout,
// as a real service at the real system locations. They need root and a
// Linux without a running systemd (SysV init, as in CI), and refuse to
// touch a machine that already has Teamlens installed.

const (
	initScript = "/etc/init.d/teamlens-agent"
	configFile = "/etc/teamlens/agent.toml"
	libDir     = "/usr/local/lib/teamlens"
	agentPID   = "/var/run/teamlens-agent.agent.pid"
	testUser   = "tl-installer-e2e"
)

func needRootSysV(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		testenv.Missing(t, "end-to-end install test: Linux only")
	}
	testenv.NeedRoot(t, "run the end-to-end install test (CI runs as root)")
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		testenv.Missing(t, "end-to-end install test: written for SysV init; systemd is running here")
	}
	for _, p := range []string{initScript, configFile, libDir} {
		if _, err := os.Stat(p); err == nil {
			testenv.Missing(t, "end-to-end install test: %s exists, refusing to overwrite a real install", p)
		}
	}
}

type bins struct{ dir, installer, agent string }

// build compiles the agent and the installer side by side, as shipped.
func build(t *testing.T) bins {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	dir := t.TempDir()
	b := bins{dir: dir, installer: filepath.Join(dir, "installer"), agent: filepath.Join(dir, "agent")}
	for pkg, out := range map[string]string{"teamlens/agent": b.agent, "teamlens/installer": b.installer} {
		cmd := exec.Command(goBin, "build", "-o", out, pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	return b
}

type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return r
}

func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	r := runCmd(t, name, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: exit %d\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, timeout time.Duration, cond func() error) {
	t.Helper()
	testenv.Eventually(t, timeout, what, cond)
}

// sharedBase is a directory every user can traverse (t.TempDir's parents
// are 0700), for the spool a normal user writes into.
func sharedBase(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "teamlens-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func ensureUser(t *testing.T) { testenv.OSUser(t, testUser) }

// collector is a stand-in that answers the installer's reachability probe.
func collector(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Write([]byte("ok\n"))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// cleanupInstall purges whatever a failed test left behind.
func cleanupInstall(t *testing.T, b bins) {
	t.Cleanup(func() {
		exec.Command(b.installer, "uninstall", "--purge").Run()
	})
}

func agentPIDNow() int {
	b, err := os.ReadFile(agentPID)
	if err != nil {
		return 0
	}
	var pid int
	fmt.Sscanf(string(b), "%d", &pid)
	return pid
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

// writeJournal appends events to a new spool file as the test user, the
// way a product plug-in running in that user's session would.
func writeJournal(t *testing.T, spool string, events ...journal.Event) string {
	t.Helper()
	var lines bytes.Buffer
	for _, e := range events {
		line, err := e.Line()
		if err != nil {
			t.Fatal(err)
		}
		var san journal.Sanitizer
		if _, err := san.Sanitize(line[:len(line)-1]); err != nil {
			t.Fatalf("test journal line would be rejected: %v", err)
		}
		lines.Write(line)
	}
	path := filepath.Join(spool, "AutoCAD-"+journal.NewSessionID()+".jsonl")
	cmd := exec.Command("runuser", "-u", testUser, "--", "sh", "-c", `umask 077; cat >>"$1"`, "sh", path)
	cmd.Stdin = &lines
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("write journal as %s: %v\n%s", testUser, err, out)
	}
	return path
}

type export struct {
	Events []map[string]any `json:"events"`
}

func exportEvents(t *testing.T, agent, dataDir, login string) ([]map[string]any, error) {
	r := runCmd(t, agent, "export", "--data-dir", dataDir, "--user", login)
	if r.code != 0 {
		return nil, fmt.Errorf("agent export: exit %d: %s", r.code, r.stderr)
	}
	var e export
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil {
		return nil, fmt.Errorf("agent export: %w", err)
	}
	return e.Events, nil
}

func hasSession(events []map[string]any, session string) bool {
	for _, e := range events {
		if e["session"] == session && e["type"] == journal.SessionStart {
			return true
		}
	}
	return false
}

func TestInstallCycle(t *testing.T) {
	needRootSysV(t)
	b := build(t)
	cleanupInstall(t, b)
	ensureUser(t)
	base := sharedBase(t)
	data, spool := filepath.Join(base, "data"), filepath.Join(base, "spool")
	coll := collector(t)

	// Install.
	out := mustRun(t, b.installer, "install", "--collector", coll, "--enroll-secret", "s3cret",
		"--data-dir", data, "--spool-dir", spool)
	if !strings.Contains(out, "installed and running") {
		t.Errorf("install said %q", out)
	}
	st := runCmd(t, b.installer, "status")
	if st.code != 0 || !strings.Contains(st.stdout, "answering") || !strings.Contains(st.stdout, "reachable") {
		t.Fatalf("status after install: exit %d: %s%s", st.code, st.stdout, st.stderr)
	}
	for _, c := range []struct {
		path string
		want os.FileMode
	}{
		{configFile, 0o600},
		{data, os.ModeDir | 0o700},
		{spool, os.ModeDir | os.ModeSticky | 0o777},
		{filepath.Join(libDir, "agent"), 0o755},
	} {
		if got := mode(t, c.path); got != c.want {
			t.Errorf("%s: mode %v, want %v", c.path, got, c.want)
		}
	}
	conf, err := os.ReadFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`enroll_secret = "s3cret"`, `data_dir = "` + data + `"`, `analytics = "user-choice"`} {
		if !bytes.Contains(conf, []byte(want)) {
			t.Errorf("config lacks %s:\n%s", want, conf)
		}
	}

	// A normal user's journal line is ingested and attributed to them.
	now := time.Now().UTC().Truncate(time.Second)
	session := journal.NewSessionID()
	writeJournal(t, spool, journal.Event{TS: now, Product: "AutoCAD", Version: "2027.1", Session: session, Type: journal.SessionStart})
	eventually(t, "journal line ingested", 60*time.Second, func() error {
		ev, err := exportEvents(t, b.agent, data, testUser)
		if err != nil {
			return err
		}
		if !hasSession(ev, session) {
			return fmt.Errorf("session %s not in export (%d events)", session, len(ev))
		}
		return nil
	})
	mustRun(t, b.agent, "consent", "--data-dir", data, "--user", testUser, "on")
	// The agent writes its token when it enrolls; one stands in here so
	// that the upgrade can be seen to keep it.
	token := filepath.Join(data, "device.token")
	if _, err := os.Stat(token); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(token, []byte("test-device-token\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tokenBefore, _ := os.ReadFile(token)

	// kill -9 of the agent is followed by a restart.
	pid := agentPIDNow()
	if pid == 0 {
		t.Fatal("no agent pid file")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "agent restarted after kill -9", 30*time.Second, func() error {
		if p := agentPIDNow(); p == pid || p == 0 {
			return fmt.Errorf("agent pid still %d", p)
		}
		if r := runCmd(t, b.installer, "status"); r.code != 0 {
			return fmt.Errorf("status exit %d: %s", r.code, r.stdout)
		}
		return nil
	})
	logData, _ := os.ReadFile(filepath.Join(data, "agent.log"))
	if !bytes.Contains(logData, []byte("restarting")) {
		t.Errorf("agent.log does not tell of the restart:\n%s", logData)
	}

	// Upgrade in place: no data-dir flag, a new policy. Data, consent and
	// the token stay; the policy changes.
	pid = agentPIDNow()
	out = mustRun(t, b.installer, "install", "--collector", coll, "--enroll-secret", "s3cret", "--seat-usage=false")
	if !strings.Contains(out, "upgraded") {
		t.Errorf("second install said %q, want an upgrade", out)
	}
	if p := agentPIDNow(); p == pid {
		t.Errorf("upgrade did not restart the agent (pid %d)", p)
	}
	conf, _ = os.ReadFile(configFile)
	if !bytes.Contains(conf, []byte(`data_dir = "`+data+`"`)) || !bytes.Contains(conf, []byte(`seat_usage = false`)) {
		t.Errorf("config after upgrade:\n%s", conf)
	}
	if tok, _ := os.ReadFile(token); !bytes.Equal(tok, tokenBefore) {
		t.Errorf("device token changed over the upgrade: %q -> %q", tokenBefore, tok)
	}
	if got := strings.TrimSpace(mustRun(t, b.agent, "consent", "--data-dir", data, "--user", testUser, "status")); got != "on" {
		t.Errorf("consent after upgrade = %q, want on", got)
	}
	if ev, err := exportEvents(t, b.agent, data, testUser); err != nil || !hasSession(ev, session) {
		t.Errorf("events after upgrade: %v (err %v)", ev, err)
	}

	// Uninstall keeps the data; it is idempotent; a reinstall carries on.
	mustRun(t, b.installer, "uninstall")
	mustRun(t, b.installer, "uninstall")
	if r := runCmd(t, b.installer, "status"); r.code == 0 {
		t.Errorf("status after uninstall: exit 0: %s", r.stdout)
	}
	if _, err := os.Stat(initScript); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("init script still there after uninstall")
	}
	if tok, _ := os.ReadFile(token); !bytes.Equal(tok, tokenBefore) {
		t.Errorf("uninstall lost the device token")
	}
	mustRun(t, b.installer, "install", "--collector", coll, "--enroll-secret", "s3cret", "--silent")
	if ev, err := exportEvents(t, b.agent, data, testUser); err != nil || !hasSession(ev, session) {
		t.Errorf("events after reinstall: %v (err %v)", ev, err)
	}

	// Purge leaves nothing behind, and is idempotent too.
	mustRun(t, b.installer, "uninstall", "--purge")
	mustRun(t, b.installer, "uninstall", "--purge")
	assertNothingLeft(t, data, spool)
}

func assertNothingLeft(t *testing.T, extra ...string) {
	t.Helper()
	paths := append([]string{initScript, configFile, "/etc/teamlens", libDir, "/run/teamlens", agentPID,
		"/var/run/teamlens-agent.pid"}, extra...)
	links, _ := filepath.Glob("/etc/rc?.d/*teamlens-agent")
	paths = append(paths, links...)
	for _, p := range paths {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there after purge", p)
		}
	}
	if out, _ := exec.Command("pgrep", "-f", libDir+"/agent").Output(); len(out) > 0 {
		t.Errorf("agent processes still running: %s", out)
	}
}

func TestInstallErrors(t *testing.T) {
	needRootSysV(t)
	b := build(t)
	cleanupInstall(t, b)
	ensureUser(t)
	base := sharedBase(t)

	t.Run("not root", func(t *testing.T) {
		// Where the test user can reach it.
		inst := filepath.Join(base, "installer")
		if err := os.Link(b.installer, inst); err != nil {
			t.Fatal(err)
		}
		r := runCmd(t, "runuser", "-u", testUser, "--", inst, "install",
			"--collector", "http://127.0.0.1:9", "--enroll-secret", "x", "--data-dir", filepath.Join(base, "d"))
		if r.code == 0 || !strings.Contains(r.stderr, "must run as root") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})

	t.Run("read-only data dir", func(t *testing.T) {
		ro := filepath.Join(base, "ro")
		if err := os.Mkdir(ro, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", ro).CombinedOutput(); err != nil {
			testenv.Missing(t, "cannot mount a read-only tmpfs here: %v %s", err, out)
		}
		t.Cleanup(func() { exec.Command("umount", ro).Run() })
		r := runCmd(t, b.installer, "install", "--collector", "http://127.0.0.1:9", "--enroll-secret", "x",
			"--data-dir", filepath.Join(ro, "data"), "--spool-dir", filepath.Join(base, "spool-ro"))
		if r.code == 0 || !strings.Contains(r.stderr, "read-only file system") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
		assertNothingLeft(t, filepath.Join(base, "spool-ro"))
	})

	t.Run("unreachable collector warns, installs", func(t *testing.T) {
		// Port 9 (discard) on loopback: nothing listens there.
		r := runCmd(t, b.installer, "install", "--collector", "http://127.0.0.1:9", "--enroll-secret", "x",
			"--data-dir", filepath.Join(base, "data"), "--spool-dir", filepath.Join(base, "spool"))
		if r.code != 0 || !strings.Contains(r.stderr, "not reachable") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		st := runCmd(t, b.installer, "status")
		if st.code != 0 || !strings.Contains(st.stdout, "NOT reachable") {
			t.Errorf("status: exit %d: %s", st.code, st.stdout)
		}
		mustRun(t, b.installer, "uninstall", "--purge")
	})

	t.Run("agent that does not answer is rolled back", func(t *testing.T) {
		bogus := filepath.Join(base, "bogus-agent")
		if err := os.WriteFile(bogus, []byte("#!/bin/sh\necho this agent is broken >&2\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		r := runCmd(t, b.installer, "install", "--collector", "http://127.0.0.1:9", "--enroll-secret", "x",
			"--agent-binary", bogus, "--data-dir", filepath.Join(base, "data2"), "--spool-dir", filepath.Join(base, "spool2"))
		if r.code == 0 || !strings.Contains(r.stderr, "did not answer") || !strings.Contains(r.stderr, "this agent is broken") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
		assertNothingLeft(t, filepath.Join(base, "data2"), filepath.Join(base, "spool2"))
	})
}

func TestDebPackage(t *testing.T) {
	needRootSysV(t)
	if _, err := exec.LookPath("dpkg"); err != nil {
		testenv.Missing(t, "deb package test: no dpkg here")
	}
	if r := runCmd(t, "dpkg", "-s", "teamlens-agent"); r.code == 0 {
		testenv.Missing(t, "deb package test: teamlens-agent is installed as a package here already")
	}
	for _, p := range []string{"/var/lib/teamlens", "/var/spool/teamlens"} {
		if _, err := os.Stat(p); err == nil {
			testenv.Missing(t, "deb package test: %s exists and a purge would remove it", p)
		}
	}
	b := build(t)
	t.Cleanup(func() {
		exec.Command("dpkg", "--purge", "teamlens-agent").Run()
		exec.Command(b.installer, "uninstall", "--purge").Run()
	})
	coll := collector(t)
	out := sharedBase(t)
	// A stand-in viewer next to the installer, as "make viewer" puts the
	// real one: the package ships it with its menu entry.
	if err := os.WriteFile(filepath.Join(b.dir, "viewer"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimSpace(mustRun(t, b.installer, "package", "--format", "deb", "--collector", coll, "--enroll-secret", "pkg-secret", "--out", out))

	// apt-get where it is (as an admin would), dpkg otherwise.
	install := []string{"dpkg", "-i", path}
	remove := []string{"dpkg", "--remove", "teamlens-agent"}
	purge := []string{"dpkg", "--purge", "teamlens-agent"}
	if _, err := exec.LookPath("apt-get"); err == nil {
		install = []string{"apt-get", "install", "-y", path}
		remove = []string{"apt-get", "remove", "-y", "teamlens-agent"}
		purge = []string{"apt-get", "purge", "-y", "teamlens-agent"}
	}
	mustRun(t, install[0], install[1:]...)
	st := runCmd(t, filepath.Join(libDir, "installer"), "status")
	if st.code != 0 || !strings.Contains(st.stdout, "answering") || !strings.Contains(st.stdout, coll) ||
		!strings.Contains(st.stdout, "My Insights viewer installed (/opt/teamlens/bin/viewer)") {
		t.Fatalf("status after package install: exit %d: %s%s", st.code, st.stdout, st.stderr)
	}
	conf, _ := os.ReadFile(configFile)
	if !bytes.Contains(conf, []byte(`enroll_secret = "pkg-secret"`)) {
		t.Errorf("config from the package:\n%s", conf)
	}
	// Installing the same package again is an upgrade in place.
	mustRun(t, "dpkg", "-i", path)
	if r := runCmd(t, filepath.Join(libDir, "installer"), "status"); r.code != 0 {
		t.Errorf("status after reinstall: exit %d: %s", r.code, r.stdout)
	}

	mustRun(t, remove[0], remove[1:]...)
	if _, err := os.Stat(initScript); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("service still registered after package removal")
	}
	if _, err := os.Stat("/var/lib/teamlens"); err != nil {
		t.Errorf("removal (not purge) lost the data dir: %v", err)
	}
	mustRun(t, purge[0], purge[1:]...)
	assertNothingLeft(t, "/var/lib/teamlens", "/var/spool/teamlens", "/opt/teamlens", "/usr/share/applications/teamlens-viewer.desktop")
}
