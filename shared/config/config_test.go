package config_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"teamlens/shared/config"
)

// TestLoad reads a file as the installer writes it (the installer's own
// tests check its mode).
func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.toml")
	in := config.Config{Collector: "http://127.0.0.1:8080"}
	text := `collector = "http://127.0.0.1:8080"
enroll_secret = "s"
analytics = "disabled"
seat_usage = false
upload_interval = "15m0s"
`
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	out = out.WithDefaults()
	if out.Collector != in.Collector || out.Analytics != "disabled" || out.SeatUsageOn() || out.UploadInterval.Duration != 15*time.Minute || out.ScanInterval.Duration != 5*time.Second {
		t.Fatalf("round trip: %+v", out)
	}
}

func TestLoadRejectsUnknownKeysAndBadPolicy(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.toml")
	os.WriteFile(typo, []byte("analytcs = \"disabled\"\n"), 0o600)
	if _, err := config.Load(typo); err == nil || !strings.Contains(err.Error(), "analytcs") {
		t.Fatalf("typo: %v", err)
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("analytics = \"always\"\n[[product]]\nname = \"FooCAD\"\nprocesses = [\"foocad\"]\n"), 0o600)
	c, err := config.Load(bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WithDefaults().Validate(); err == nil {
		t.Fatal("accepted analytics = always")
	}
	if _, ok := c.Catalog().ByProcess("FooCAD.exe"); !ok {
		t.Fatal("configured product missing from the catalog")
	}
}

func TestValidateCollectorURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://teamlens.example:8443", true},
		{"http://127.0.0.1:19080", true},
		{"127.0.0.1:19080", false},
		{"teamlens.example", false},
		{"ftp://teamlens.example", false},
		{"https://", false},
	} {
		c := config.Config{Collector: tc.url, EnrollSecret: "s"}.WithDefaults()
		if err := c.Validate(); (err == nil) != tc.ok {
			t.Errorf("Validate(%q) = %v, want ok %v", tc.url, err, tc.ok)
		}
	}
}

// TestRevitJournals: the configured folders are kept; none configured
// means Windows' default pattern there and none elsewhere; an empty list
// turns the default off.
func TestRevitJournals(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		text string
		want []string
	}{
		{`revit_journals = ["D:\\Journals", "/srv/revit/*/Journals"]`, []string{`D:\Journals`, "/srv/revit/*/Journals"}},
		{`revit_journals = []`, []string{}},
		{``, config.DefaultRevitJournals()},
	} {
		path := filepath.Join(dir, "agent.toml")
		if err := os.WriteFile(path, []byte(tc.text+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		got := c.WithDefaults().RevitJournals
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || (tc.want != nil && got == nil) {
			t.Errorf("%s: %q, want %q", tc.text, got, tc.want)
		}
	}
	if def := config.DefaultRevitJournals(); runtime.GOOS == "windows" {
		if len(def) != 1 || !strings.HasSuffix(def[0], `\Users\*\AppData\Local\Autodesk\Revit\Autodesk Revit *\Journals`) {
			t.Errorf("Windows default %q", def)
		}
	} else if def != nil {
		t.Errorf("default %q off Windows", def)
	}
}

// TestJournalProducts: a product a plug-in journals takes its sessions
// from the journal alone; an unknown name is refused.
func TestJournalProducts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.toml")
	if err := os.WriteFile(path, []byte("journal_products = [\"autocad\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	cat := c.Catalog()
	if p, ok := cat.Lookup("AutoCAD"); !ok || !p.Journal || len(p.Processes) == 0 {
		t.Errorf("AutoCAD: %+v %v", p, ok)
	}
	if p, _ := cat.Lookup("Revit"); p.Journal {
		t.Error("Revit marked too")
	}
	c.JournalProducts = []string{"Paint"}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "Paint") {
		t.Errorf("unknown product: %v", err)
	}
}
