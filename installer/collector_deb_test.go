//go:build !windows

package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"teamlens/internal/testenv"
)

// TestCollectorDebPackage installs the collector's .deb with apt-get (dpkg
// where there is none), as an admin would: the service runs as its own
// user and answers on the packaged address, a minted token enrolls a
// device; removal stops it and keeps the data, purge removes data, settings
// and user.
func TestCollectorDebPackage(t *testing.T) {
	if runtime.GOOS != "linux" {
		testenv.Missing(t, "deb package test: Linux only")
	}
	testenv.NeedRoot(t, "install a package")
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		testenv.Missing(t, "deb package test: written for SysV init; systemd is running here")
	}
	if _, err := exec.LookPath("dpkg"); err != nil {
		testenv.Missing(t, "deb package test: no dpkg here")
	}
	if r := runCmd(t, "dpkg", "-s", "teamlens-collector"); r.code == 0 {
		testenv.Missing(t, "deb package test: teamlens-collector is installed as a package here already")
	}
	if _, err := os.Stat("/var/lib/teamlens-collector"); err == nil {
		testenv.Missing(t, "deb package test: /var/lib/teamlens-collector exists and a purge would remove it")
	}
	if _, err := user.Lookup("teamlens-collector"); err == nil {
		testenv.Missing(t, "deb package test: user teamlens-collector exists")
	}
	dir := sharedBase(t)
	inst, coll := filepath.Join(dir, "installer"), filepath.Join(dir, "collector")
	for pkg, out := range map[string]string{"teamlens/installer": inst, "teamlens/collector": coll} {
		if err := os.Rename(testenv.Build(t, pkg), out); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { exec.Command("dpkg", "--purge", "teamlens-collector").Run() })

	// A free port for the packaged configuration.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if out := runCmd(t, inst, "package", "--component", "collector", "-h"); out.code != 0 || !strings.Contains(out.stdout, "--component collector") || !strings.Contains(out.stdout, "--listen") {
		t.Errorf("package --component collector -h: exit %d\n%s", out.code, out.stdout)
	}
	path := strings.TrimSpace(mustRun(t, inst, "package", "--format", "deb", "--component", "collector", "--listen", addr, "--out", dir))

	install := []string{"dpkg", "-i", path}
	remove := []string{"dpkg", "--remove", "teamlens-collector"}
	purge := []string{"dpkg", "--purge", "teamlens-collector"}
	if _, err := exec.LookPath("apt-get"); err == nil {
		lock := "-oDPkg::Lock::Timeout=120"
		install = []string{"apt-get", lock, "install", "-y", path}
		remove = []string{"apt-get", lock, "remove", "-y", "teamlens-collector"}
		purge = []string{"apt-get", lock, "purge", "-y", "teamlens-collector"}
	}
	mustRun(t, install[0], install[1:]...)

	base := "http://" + addr
	healthy := func() error {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	eventually(t, "the packaged collector answers", 30*time.Second, healthy)
	u, err := user.Lookup("teamlens-collector")
	if err != nil {
		t.Fatalf("no service user: %v", err)
	}
	pidText, err := os.ReadFile("/run/teamlens-collector.pid")
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/"+strings.TrimSpace(string(pidText)), &st); err != nil || strconv.Itoa(int(st.Uid)) != u.Uid {
		t.Errorf("collector does not run as teamlens-collector (uid %d, want %s): %v", st.Uid, u.Uid, err)
	}
	for p, mode := range map[string]os.FileMode{"/etc/teamlens/collector.conf": 0o600, "/var/lib/teamlens-collector": 0o750 | os.ModeDir} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != mode {
			t.Errorf("%s: %v %v, want mode %v", p, fi.Mode(), err, mode)
		}
	}
	db := "/var/lib/teamlens-collector/collector.db"
	if err := syscall.Stat(db, &st); err != nil || strconv.Itoa(int(st.Uid)) != u.Uid {
		t.Errorf("database %s not owned by the service user: %v", db, err)
	}

	// The shared secret is off in the packaged settings: a token minted by
	// the service user enrolls a device.
	token := strings.TrimSpace(mustRun(t, "runuser", "-u", "teamlens-collector", "--", "/usr/bin/teamlens-collector", "enroll-token", "--db", db, "--expires", "1h"))
	resp, err := http.Post(base+"/v1/enroll", "application/json", strings.NewReader(`{"enroll_secret":"`+token+`","hostname":"ws"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("enroll with a minted token: %v %v", resp, err)
	}
	resp.Body.Close()

	// Installing again is an upgrade: the service comes back, the data stays.
	mustRun(t, "dpkg", "-i", path)
	eventually(t, "the upgraded collector answers", 30*time.Second, healthy)

	mustRun(t, remove[0], remove[1:]...)
	if healthy() == nil {
		t.Error("collector still answers after removal")
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("removal (not purge) lost the database: %v", err)
	}
	if links, _ := filepath.Glob("/etc/rc?.d/*teamlens-collector"); len(links) > 0 {
		t.Errorf("init links left after removal: %v", links)
	}
	mustRun(t, purge[0], purge[1:]...)
	for _, p := range []string{"/var/lib/teamlens-collector", "/var/log/teamlens-collector", "/etc/teamlens/collector.conf",
		"/usr/bin/teamlens-collector", "/etc/init.d/teamlens-collector", "/lib/systemd/system/teamlens-collector.service"} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there after purge", p)
		}
	}
	if _, err := user.Lookup("teamlens-collector"); err == nil {
		t.Error("service user still there after purge")
	}
}
