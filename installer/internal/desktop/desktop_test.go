package desktop

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// desktop-file-validate (Debian desktop-file-utils, installed by
// scripts/deps.sh test) is the freedesktop.org reference checker.
func TestEntryValidates(t *testing.T) {
	validate, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		t.Fatal("desktop-file-validate not installed: run scripts/deps.sh test")
	}
	b, err := Entry("/opt/teamlens/bin/viewer")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(EntryFile))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(validate, path).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("desktop-file-validate: %v\n%s", err, out)
	}
	if got := Exec(b); got != "/opt/teamlens/bin/viewer" {
		t.Errorf("Exec = %q", got)
	}
	for _, want := range []string{"Name=My Insights", "Icon=teamlens-viewer", "Categories=Utility;"} {
		if !strings.Contains(string(b), want+"\n") {
			t.Errorf("entry lacks %q", want)
		}
	}
}

func TestEntryRefusesBadPaths(t *testing.T) {
	for _, p := range []string{"viewer", "/opt/my apps/viewer", `/opt/x";rm -rf /`, "/opt/%f"} {
		if _, err := Entry(p); err == nil {
			t.Errorf("Entry(%q) accepted", p)
		}
	}
}

func TestIconIsSVG(t *testing.T) {
	var svg struct {
		XMLName xml.Name
		Width   string `xml:"width,attr"`
	}
	if err := xml.Unmarshal(Icon, &svg); err != nil || svg.XMLName.Local != "svg" {
		t.Fatalf("icon is not SVG: %v %v", svg.XMLName, err)
	}
}
