package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/shared/config"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// An edit changes the keys it sets and keeps every other key of the file,
// and the agent loads the result.
func TestEditKeepsTheRestOfTheFile(t *testing.T) {
	path := writeFile(t, `data_dir = "/srv/teamlens"
collector = "http://old:8080"
enroll_secret = "old"
analytics = "disabled"
seat_usage = false
upload_interval = "15m"
journal_products = ["Revit"]

[[product]]
name = "Revit"
processes = ["Revit.exe"]
`)
	e, exists, err := config.LoadEdit(path)
	if err != nil || !exists {
		t.Fatalf("LoadEdit: exists=%v err=%v", exists, err)
	}
	if e.DataDir != "/srv/teamlens" || e.Collector != "http://old:8080" || e.Analytics != "disabled" || e.SeatUsageOn() ||
		e.UploadInterval.Duration != 15*time.Minute || len(e.Products) != 1 {
		t.Fatalf("read %+v", e.Config)
	}
	yes := true
	e.Collector, e.EnrollSecret, e.SeatUsage, e.Socket = "https://new:8443", "new", &yes, "/run/teamlens/agent.sock"
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatalf("the agent cannot load the edited file: %v\n%s", err, b)
	}
	if c.Collector != "https://new:8443" || c.EnrollSecret != "new" || !c.SeatUsageOn() || c.Socket != "/run/teamlens/agent.sock" ||
		c.DataDir != "/srv/teamlens" || c.Analytics != "disabled" || c.UploadInterval.Duration != 15*time.Minute ||
		len(c.JournalProducts) != 1 || len(c.Products) != 1 || c.Products[0].Name != "Revit" || len(c.Products[0].Processes) != 1 {
		t.Fatalf("edited file loads as %+v\n%s", c, b)
	}
	// Untouched keys keep their spelling ("15m", not "15m0s").
	if !strings.Contains(string(b), `upload_interval = "15m"`) {
		t.Errorf("upload_interval rewritten:\n%s", b)
	}
}

// Keys the agent of this build does not know (a newer agent's) survive an
// edit; a field set back to its zero value takes its key away.
func TestEditKeepsUnknownKeysAndRemovesCleared(t *testing.T) {
	path := writeFile(t, `collector = "http://c:8080"
enroll_secret = "s"
spool_dir = "/srv/spool"
future_key = "kept"

[future_table]
n = 3
`)
	e, _, err := config.LoadEdit(path)
	if err != nil {
		t.Fatal(err)
	}
	e.SpoolDir = ""
	b, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{`future_key = "kept"`, "[future_table]", "n = 3", `collector = "http://c:8080"`} {
		if !strings.Contains(text, want) {
			t.Errorf("edit lost %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "spool_dir") {
		t.Errorf("cleared spool_dir still there:\n%s", text)
	}
}

// No file is an empty edit that writes only what was set.
func TestEditOfNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.toml")
	e, exists, err := config.LoadEdit(path)
	if err != nil || exists {
		t.Fatalf("LoadEdit of no file: exists=%v err=%v", exists, err)
	}
	no := false
	e.Collector, e.EnrollSecret, e.Analytics, e.SeatUsage = "http://c:8080", "s", config.AnalyticsUserChoice, &no
	b, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil || c.Collector != "http://c:8080" || c.SeatUsageOn() || c.Analytics != config.AnalyticsUserChoice {
		t.Fatalf("Load = %+v, %v\n%s", c, err, b)
	}
	if lines := strings.Count(strings.TrimSpace(string(b)), "\n") + 1; lines != 4 {
		t.Errorf("want the 4 keys set, got:\n%s", b)
	}
}

// An edit is judged by the agent's own rules, and a file that is not TOML
// is an error naming it.
func TestEditValidateAndBadFile(t *testing.T) {
	e, _, err := config.LoadEdit(writeFile(t, `journal_products = ["NoSuchCAD"]`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	e.Analytics, e.Collector, e.EnrollSecret = config.AnalyticsUserChoice, "http://c:8080", "s"
	if err := e.Validate(); err == nil || !strings.Contains(err.Error(), "NoSuchCAD") {
		t.Errorf("Validate = %v, want the unknown journal product named", err)
	}
	e.JournalProducts = nil
	for _, tc := range []struct{ analytics, collector, want string }{
		{"on", "http://c:8080", "analytics must be"},
		{config.AnalyticsDisabled, "c:8080", "http:// or https://"},
	} {
		e.Analytics, e.Collector = tc.analytics, tc.collector
		if err := e.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%q, %q) = %v, want %q", tc.analytics, tc.collector, err, tc.want)
		}
	}
	bad := writeFile(t, "collector = \n")
	if _, _, err := config.LoadEdit(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("LoadEdit of bad TOML = %v, want an error naming the file", err)
	}
}
