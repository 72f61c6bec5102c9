package msi

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"teamlens/internal/testenv"
)

func TestProductVersion(t *testing.T) {
	for in, want := range map[string]string{"1.4.2": "1.4.2", "v2.0": "2.0.0", "3": "3.0.0", "1.2.3~rc1": "1.2.3", "0.0.0+gabc": "0.0.0"} {
		if got, err := productVersion(in); err != nil || got != want {
			t.Errorf("productVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := productVersion("dev"); err == nil {
		t.Error("productVersion(dev) passed")
	}
}

// TestBuild builds a real MSI with wixl from stand-in binaries: the file
// is named by the version, private (it holds the secret), and an MSI
// (the compound-file signature); bad options are refused before wixl runs.
func TestBuild(t *testing.T) {
	if _, err := exec.LookPath("wixl"); err != nil {
		testenv.Missing(t, "wixl is not installed (Debian's wixl, scripts/deps.sh test)")
	}
	bin := t.TempDir()
	for _, name := range []string{"agent.exe", "installer.exe", "viewer.exe"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("MZ stand-in "+name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	res, err := Build(Options{Collector: "https://teamlens.example", EnrollSecret: "s3cret", OutDir: out, Version: "1.2.3", BinDir: bin})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(out, "teamlens-agent-1.2.3-x64.msi"); res.Path != want || !res.Viewer {
		t.Fatalf("result %+v, want %s with the viewer", res, want)
	}
	fi, err := os.Stat(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(res.Path)
	if len(b) < 8 || string(b[:8]) != "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" {
		t.Error("not a compound file (MSI)")
	}
	// The shortcut and Add or remove programs show Teamlens' icon.
	if _, err := exec.LookPath("msiinfo"); err != nil {
		testenv.Missing(t, "msiinfo is not installed (Debian's msitools, scripts/deps.sh test)")
	}
	for table, want := range map[string]string{
		"Icon":     "teamlens.ico",
		"Shortcut": "\tteamlens.ico\t",
		"Property": "ARPPRODUCTICON\tteamlens.ico",
	} {
		got, err := exec.Command("msiinfo", "export", res.Path, table).CombinedOutput()
		if err != nil || !strings.Contains(string(got), want) {
			t.Errorf("table %s: %v, want a row with %q:\n%s", table, err, want, got)
		}
	}

	for name, o := range map[string]Options{
		"no secret":        {Collector: "https://x", Version: "1.0.0", BinDir: bin, OutDir: out},
		"quote in URL":     {Collector: `https://x/"a`, EnrollSecret: "s", Version: "1.0.0", BinDir: bin, OutDir: out},
		"bracket secret":   {Collector: "https://x", EnrollSecret: "[s]", Version: "1.0.0", BinDir: bin, OutDir: out},
		"bad analytics":    {Collector: "https://x", EnrollSecret: "s", Analytics: "maybe", Version: "1.0.0", BinDir: bin, OutDir: out},
		"no agent.exe":     {Collector: "https://x", EnrollSecret: "s", Version: "1.0.0", BinDir: t.TempDir(), OutDir: out},
		"version not nums": {Collector: "https://x", EnrollSecret: "s", Version: "dev", BinDir: bin, OutDir: out},
	} {
		if _, err := Build(o); err == nil {
			t.Errorf("%s: built", name)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 || strings.HasSuffix(entries[0].Name(), ".tmp") {
		t.Errorf("refused builds left files: %v", entries)
	}
}
