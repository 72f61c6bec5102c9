package install

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/shared/config"
)

func TestOptionsValidate(t *testing.T) {
	ok := Options{Collector: "http://127.0.0.1:8080", EnrollSecret: "s"}
	tests := []struct {
		name    string
		edit    func(*Options)
		wantErr string
	}{
		{"minimal", func(*Options) {}, ""},
		{"https and every flag", func(o *Options) {
			o.Collector = "https://collector.example:8443/base"
			o.DataDir, o.SpoolDir, o.AgentBinary = "/srv/d", "/srv/s", "/tmp/agent"
			o.Analytics = "disabled"
		}, ""},
		{"no collector", func(o *Options) { o.Collector = "" }, "--collector is required"},
		{"collector not a URL", func(o *Options) { o.Collector = "127.0.0.1:8080" }, "want an http"},
		{"collector wrong scheme", func(o *Options) { o.Collector = "ftp://host" }, "want an http"},
		{"no secret", func(o *Options) { o.EnrollSecret = "" }, "--enroll-secret is required"},
		{"secret with newline", func(o *Options) { o.EnrollSecret = "a\nb" }, "white space"},
		{"bad analytics", func(o *Options) { o.Analytics = "on" }, "--analytics must be"},
		{"relative data dir", func(o *Options) { o.DataDir = "data" }, "--data-dir"},
		{"relative spool dir", func(o *Options) { o.SpoolDir = "./spool" }, "--spool-dir"},
		{"relative agent binary", func(o *Options) { o.AgentBinary = "agent" }, "--agent-binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			err := o.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestCheckDirs(t *testing.T) {
	tests := []struct {
		data, spool string
		ok          bool
	}{
		{"/var/lib/teamlens", "/var/spool/teamlens", true},
		{"/var/lib/teamlens", "/var/lib/teamlens-spool", true},
		{"/var/lib/teamlens", "/var/lib/teamlens/spool", false},
		{"/var/lib/teamlens", "/var/lib/teamlens", false},
		{"/srv/spool/data", "/srv/spool", false},
	}
	for _, tt := range tests {
		err := checkDirs(config.Config{DataDir: tt.data, SpoolDir: tt.spool})
		if (err == nil) != tt.ok {
			t.Errorf("checkDirs(%s, %s) = %v, want ok=%v", tt.data, tt.spool, err, tt.ok)
		}
	}
}

func TestConfigRoundTripKeepsAdminKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.toml")
	// An installed file an admin extended with keys the installer does
	// not own.
	existing := `data_dir = "/srv/teamlens"
spool_dir = "/srv/spool"
collector = "http://old:8080"
enroll_secret = "old"
analytics = "disabled"
seat_usage = false
upload_interval = "15m"

[[product]]
name = "Revit"
process = ["Revit.exe"]
`
	if err := os.WriteFile(path, []byte(existing), 0o600); err != nil {
		t.Fatal(err)
	}
	prev, ok, err := loadConfig(path)
	if err != nil || !ok {
		t.Fatalf("load: ok=%v err=%v", ok, err)
	}
	l := Layout{DataDir: "/var/lib/teamlens", SpoolDir: "/var/spool/teamlens", Socket: "/run/teamlens/agent.sock"}
	yes := true
	c := merge(prev, Options{Collector: "http://new:8080", EnrollSecret: "new", SeatUsage: &yes}, l)

	want := config.Config{DataDir: "/srv/teamlens", SpoolDir: "/srv/spool", Socket: "/run/teamlens/agent.sock",
		Collector: "http://new:8080", EnrollSecret: "new", Analytics: "disabled"}
	if c.DataDir != want.DataDir || c.SpoolDir != want.SpoolDir || c.Socket != want.Socket ||
		c.Collector != want.Collector || c.EnrollSecret != want.EnrollSecret || c.Analytics != want.Analytics ||
		c.SeatUsage == nil || !*c.SeatUsage {
		t.Fatalf("merged %+v", c)
	}

	var u undo
	if err := writeConfig(&u, path, c); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("config mode %v, want 0600", fi.Mode().Perm())
	}
	got, _, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Collector != "http://new:8080" || got.DataDir != "/srv/teamlens" || got.SeatUsage == nil || !*got.SeatUsage {
		t.Errorf("reloaded %+v", got)
	}
	written, _ := os.ReadFile(path)
	if got.UploadInterval.Duration != 15*time.Minute || !strings.Contains(string(written), `upload_interval = "15m"`) {
		t.Errorf("upload_interval lost: %v\n%s", got.UploadInterval, written)
	}
	if len(got.Products) != 1 || got.Products[0].Name != "Revit" || !strings.Contains(string(written), `process = ["Revit.exe"]`) {
		t.Errorf("products lost: %#v\n%s", got.Products, written)
	}

	// Undo puts the admin's file back byte for byte.
	u.run(nil)
	b, _ := os.ReadFile(path)
	if string(b) != existing {
		t.Errorf("undo left:\n%s", b)
	}
}

func TestMergeDefaults(t *testing.T) {
	l := DefaultLayout()
	c := merge(&config.Edit{}, Options{Collector: "http://c", EnrollSecret: "s"}, l)
	if c.DataDir != l.DataDir || c.SpoolDir != l.SpoolDir || c.Socket != l.Socket ||
		c.Analytics != config.AnalyticsUserChoice || c.SeatUsage == nil || !*c.SeatUsage {
		t.Fatalf("defaults: %+v", c)
	}
	if err := checkDirs(c.Config); err != nil {
		t.Fatalf("the default layout must pass its own check: %v", err)
	}
}

func TestReplaceFileUndo(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh")
	old := filepath.Join(dir, "old")
	if err := os.WriteFile(old, []byte("v1"), 0o640); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, []byte("v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	var u undo
	for _, dst := range []string{fresh, old} {
		if err := placeFile(&u, src, dst, 0o755); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(dst); string(b) != "v2" {
			t.Fatalf("%s = %q", dst, b)
		}
	}
	// Placing a file on itself is a no-op (reinstall from the system copy).
	if err := placeFile(&u, old, old, 0o755); err != nil {
		t.Fatal(err)
	}
	u.run(nil)
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("undo kept the new file: %v", err)
	}
	fi, err := os.Stat(old)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(old); string(b) != "v1" || fi.Mode().Perm() != 0o640 {
		t.Errorf("undo restored %q mode %v", b, fi.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestMkdirAllUndo(t *testing.T) {
	base := t.TempDir()
	deep := filepath.Join(base, "a", "b", "spool")
	var u undo
	if err := mkdirAll(&u, deep, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(deep)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != os.ModeDir|os.ModeSticky|0o777 {
		t.Errorf("mode %v", fi.Mode())
	}
	// Idempotent on an existing directory, and it fixes the mode.
	if err := os.Chmod(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	var u2 undo
	if err := mkdirAll(&u2, deep, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if len(u2.steps) != 0 {
		t.Errorf("an existing directory registered %d undo steps", len(u2.steps))
	}
	u.run(nil)
	if _, err := os.Stat(filepath.Join(base, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("undo kept the created parents: %v", err)
	}
}

func TestRemoveAllRefusesShallowPaths(t *testing.T) {
	for _, p := range []string{"/", "/var", "relative/dir", "/etc/"} {
		if err := removeAll(p); err == nil {
			t.Errorf("removeAll(%q) did not refuse", p)
		}
	}
	dir := filepath.Join(t.TempDir(), "x")
	if err := os.MkdirAll(filepath.Join(dir, "y"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := removeAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := removeAll(dir); err != nil {
		t.Errorf("removing a missing path: %v", err)
	}
}
