package deb

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/installer/internal/desktop"
)

// The package carries the viewer, its menu entry (which
// desktop-file-validate accepts) and its icon; postinst leaves them to
// dpkg.
func TestBuildShipsViewer(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"agent": "agent-binary", "installer": "installer-binary", "viewer": "viewer-binary"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{Collector: "http://127.0.0.1:8080", EnrollSecret: "s", OutDir: filepath.Join(dir, "out"),
		InstallerBinary: filepath.Join(dir, "installer"), Arch: "amd64", ModTime: time.Unix(1700000000, 0)}
	if !HasViewer(o) {
		t.Fatal("HasViewer = false with a viewer next to the installer")
	}
	path, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	ms := readAr(t, b)
	data := readTarGz(t, ms[2].data)
	entryName := "./usr/share/" + desktop.EntryFile
	for name, mode := range map[string]int64{"./opt/teamlens/bin/viewer": 0o755, entryName: 0o644, "./usr/share/" + desktop.IconFile: 0o644} {
		h, ok := data[name]
		if !ok {
			t.Errorf("package lacks %s", name)
			continue
		}
		if h.Mode != mode || h.Uname != "root" {
			t.Errorf("%s: mode %o owner %s", name, h.Mode, h.Uname)
		}
	}
	if data["./opt/teamlens/bin/viewer"].PAXRecords["body"] != "viewer-binary" {
		t.Error("the packaged viewer is not the one given")
	}
	entry := data[entryName].PAXRecords["body"]
	if desktop.Exec([]byte(entry)) != ViewerPath || !strings.Contains(entry, "Name=My Insights\n") {
		t.Errorf("menu entry:\n%s", entry)
	}
	file := filepath.Join(dir, "teamlens-viewer.desktop")
	os.WriteFile(file, []byte(entry), 0o644)
	if out, err := exec.Command("desktop-file-validate", file).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("desktop-file-validate: %v\n%s", err, out)
	}
	control := readTarGz(t, ms[1].data)
	if !strings.Contains(control["./postinst"].PAXRecords["body"], "install --silent --no-viewer ") {
		t.Error("postinst would install a second copy of the viewer")
	}
	if !strings.Contains(control["./md5sums"].PAXRecords["body"], "usr/share/"+desktop.EntryFile) {
		t.Error("md5sums lacks the menu entry")
	}
	if dpkg, err := exec.LookPath("dpkg-deb"); err == nil {
		out, err := exec.Command(dpkg, "--contents", path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "./usr/share/applications/teamlens-viewer.desktop") {
			t.Errorf("dpkg-deb --contents: %v\n%s", err, out)
		}
	}

	// Without a viewer the package is the agent's alone.
	os.Remove(filepath.Join(dir, "viewer"))
	if HasViewer(o) {
		t.Error("HasViewer = true with no viewer")
	}
	path, err = Build(o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	if _, ok := readTarGz(t, readAr(t, b)[2].data)["./opt/teamlens/bin/viewer"]; ok {
		t.Error("a viewer was packaged from nowhere")
	}
	o.ViewerBinary = filepath.Join(dir, "nope")
	if _, err := Build(o); err == nil || !strings.Contains(err.Error(), "viewer binary") {
		t.Errorf("a missing --viewer-binary: %v", err)
	}
}
