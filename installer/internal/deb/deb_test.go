package deb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

type member struct {
	name string
	data []byte
}

// readAr parses the ar container the way dpkg does.
func readAr(t *testing.T, b []byte) []member {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("!<arch>\n")) {
		t.Fatalf("not an ar archive")
	}
	b = b[8:]
	var ms []member
	for len(b) > 0 {
		if len(b) < 60 || string(b[58:60]) != "`\n" {
			t.Fatalf("bad ar header %q", b[:min(60, len(b))])
		}
		size, err := strconv.Atoi(strings.TrimSpace(string(b[48:58])))
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, member{strings.TrimSpace(string(b[:16])), b[60 : 60+size]})
		b = b[60+size+size%2:]
	}
	return ms
}

func readTarGz(t *testing.T, b []byte) map[string]*tar.Header {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string]*tar.Header{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		h.PAXRecords = map[string]string{"body": string(body)}
		out[h.Name] = h
	}
}

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	agent, installer := filepath.Join(dir, "agent"), filepath.Join(dir, "installer")
	os.WriteFile(agent, []byte("agent-binary"), 0o755)
	os.WriteFile(installer, []byte("installer-binary"), 0o755)
	out := filepath.Join(dir, "out")
	path, err := Build(Options{
		Collector: "http://127.0.0.1:8080", EnrollSecret: "top-secret", OutDir: out,
		AgentBinary: agent, InstallerBinary: installer, Arch: "amd64", ModTime: time.Unix(1700000000, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "teamlens-agent_1.0.0_amd64.deb" {
		t.Errorf("package name %s", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("package mode %v, want 0600 (it holds the secret)", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	ms := readAr(t, b)
	if len(ms) != 3 || ms[0].name != "debian-binary" || string(ms[0].data) != "2.0\n" ||
		ms[1].name != "control.tar.gz" || ms[2].name != "data.tar.gz" {
		t.Fatalf("members %v", ms)
	}

	control := readTarGz(t, ms[1].data)
	for name, mode := range map[string]int64{"./control": 0o644, "./postinst": 0o755, "./prerm": 0o755, "./postrm": 0o755, "./md5sums": 0o644} {
		h, ok := control[name]
		if !ok {
			t.Errorf("control archive lacks %s", name)
			continue
		}
		if h.Mode != mode {
			t.Errorf("%s mode %o, want %o", name, h.Mode, mode)
		}
		if strings.Contains(h.PAXRecords["body"], "top-secret") {
			t.Errorf("%s contains the enroll secret: maintainer scripts are world-readable once installed", name)
		}
	}
	post := control["./postinst"].PAXRecords["body"]
	if !strings.Contains(post, "install --silent --no-viewer --collector 'http://127.0.0.1:8080' --enroll-secret-file /opt/teamlens/etc/enroll-secret") {
		t.Errorf("postinst:\n%s", post)
	}
	if !strings.Contains(control["./prerm"].PAXRecords["body"], "installer uninstall") {
		t.Errorf("prerm does not uninstall")
	}

	data := readTarGz(t, ms[2].data)
	for name, want := range map[string]struct {
		mode int64
		body string
	}{
		"./opt/teamlens/bin/agent":         {0o755, "agent-binary"},
		"./opt/teamlens/bin/installer":     {0o755, "installer-binary"},
		"./opt/teamlens/etc/enroll-secret": {0o600, "top-secret\n"},
	} {
		h, ok := data[name]
		if !ok {
			t.Errorf("data archive lacks %s", name)
			continue
		}
		if h.Mode != want.mode || h.PAXRecords["body"] != want.body || h.Uname != "root" {
			t.Errorf("%s: mode %o owner %s body %q", name, h.Mode, h.Uname, h.PAXRecords["body"])
		}
	}

	// dpkg's own reader agrees, where there is one.
	if dpkg, err := exec.LookPath("dpkg-deb"); err == nil {
		info, err := exec.Command(dpkg, "--info", path).CombinedOutput()
		if err != nil || !strings.Contains(string(info), "Package: teamlens-agent") {
			t.Errorf("dpkg-deb --info: %v\n%s", err, info)
		}
		if out, err := exec.Command(dpkg, "--contents", path).CombinedOutput(); err != nil {
			t.Errorf("dpkg-deb --contents: %v\n%s", err, out)
		}
	}

	// Building again replaces the package and leaves no temporary file.
	if _, err := Build(Options{Collector: "http://127.0.0.1:8080", EnrollSecret: "s", OutDir: out,
		AgentBinary: agent, InstallerBinary: installer, Arch: "amd64"}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 {
		t.Errorf("out dir holds %d entries, want 1", len(entries))
	}
}

func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no secret", Options{Collector: "http://c"}, "--enroll-secret"},
		{"quote in URL", Options{Collector: "http://c/'x", EnrollSecret: "s"}, "maintainer script"},
		{"missing agent", Options{Collector: "http://c", EnrollSecret: "s", AgentBinary: filepath.Join(dir, "nope"), InstallerBinary: filepath.Join(dir, "nope")}, "agent binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.OutDir = dir
			if _, err := Build(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build = %v, want error containing %q", err, tt.want)
			}
		})
	}
}
