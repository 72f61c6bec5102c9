package deb

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBuildCollector(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "collector")
	os.WriteFile(bin, []byte("collector-binary"), 0o755)
	path, err := BuildCollector(CollectorOptions{CollectorBinary: bin, Listen: "0.0.0.0:8443", OutDir: filepath.Join(dir, "out"),
		Arch: "amd64", ModTime: time.Unix(1700000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "teamlens-collector_1.0.0_amd64.deb" {
		t.Errorf("package name %s", path)
	}
	b, _ := os.ReadFile(path)
	ms := readAr(t, b)
	if len(ms) != 3 || ms[1].name != "control.tar.gz" || ms[2].name != "data.tar.gz" {
		t.Fatalf("members %v", ms)
	}
	control := readTarGz(t, ms[1].data)
	for name, mode := range map[string]int64{"./control": 0o644, "./md5sums": 0o644, "./conffiles": 0o644,
		"./postinst": 0o755, "./prerm": 0o755, "./postrm": 0o755} {
		if h, ok := control[name]; !ok || h.Mode != mode {
			t.Errorf("control member %s missing or mode wrong", name)
		}
	}
	if got := control["./conffiles"].PAXRecords["body"]; got != "/etc/teamlens/collector.conf\n" {
		t.Errorf("conffiles %q", got)
	}
	if c := control["./control"].PAXRecords["body"]; !strings.Contains(c, "Package: teamlens-collector\n") {
		t.Errorf("control:\n%s", c)
	}
	post := control["./postinst"].PAXRecords["body"]
	for _, want := range []string{"useradd --system", "install -d -m 0750 -o \"$user\"", "/etc/init.d/teamlens-collector restart", "systemctl restart"} {
		if !strings.Contains(post, want) {
			t.Errorf("postinst lacks %q:\n%s", want, post)
		}
	}
	if !strings.Contains(control["./postrm"].PAXRecords["body"], "rm -rf /var/lib/teamlens-collector") {
		t.Error("postrm purge keeps the data")
	}

	data := readTarGz(t, ms[2].data)
	for name, mode := range map[string]int64{
		"./usr/bin/teamlens-collector":                    0o755,
		"./etc/teamlens/collector.conf":                   0o600,
		"./lib/systemd/system/teamlens-collector.service": 0o644,
		"./etc/init.d/teamlens-collector":                 0o755,
	} {
		if h, ok := data[name]; !ok || h.Mode != mode || h.Uname != "root" {
			t.Errorf("data member %s missing, or mode or owner wrong", name)
		}
	}
	if data["./usr/bin/teamlens-collector"].PAXRecords["body"] != "collector-binary" {
		t.Error("binary not packaged as given")
	}
	conf := data["./etc/teamlens/collector.conf"].PAXRecords["body"]
	if !strings.Contains(conf, "TEAMLENS_LISTEN=0.0.0.0:8443\n") || !strings.Contains(conf, "TEAMLENS_DB=/var/lib/teamlens-collector/collector.db\n") {
		t.Errorf("config:\n%s", conf)
	}
	unit := data["./lib/systemd/system/teamlens-collector.service"].PAXRecords["body"]
	if !strings.Contains(unit, "User=teamlens-collector") || !strings.Contains(unit, "EnvironmentFile=/etc/teamlens/collector.conf") {
		t.Errorf("unit:\n%s", unit)
	}
	for _, script := range []string{control["./postinst"].PAXRecords["body"], control["./prerm"].PAXRecords["body"],
		control["./postrm"].PAXRecords["body"], data["./etc/init.d/teamlens-collector"].PAXRecords["body"]} {
		if out, err := exec.Command("sh", "-n", "-c", script).CombinedOutput(); err != nil {
			t.Errorf("shell syntax: %v %s\n%s", err, out, script)
		}
	}
	if dpkg, err := exec.LookPath("dpkg-deb"); err == nil {
		if out, err := exec.Command(dpkg, "--info", path).CombinedOutput(); err != nil || !strings.Contains(string(out), "Package: teamlens-collector") {
			t.Errorf("dpkg-deb --info: %v\n%s", err, out)
		}
	}

	for _, bad := range []CollectorOptions{
		{CollectorBinary: filepath.Join(dir, "nope"), OutDir: dir},
		{CollectorBinary: bin, Listen: "127.0.0.1:80; rm -rf /", OutDir: dir},
	} {
		if _, err := BuildCollector(bad); err == nil {
			t.Errorf("BuildCollector(%+v) succeeded", bad)
		}
	}
}
