//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"teamlens/internal/testenv"
)

// revitSecrets are strings of the real Revit journals (the username, its
// paths, UNC paths, server and license-server names, file names, dialog
// text) that must never reach the database or the log.
var revitSecrets = []string{"nvo", `C:\Users`, "AppData", "shl.local", "adlm-dkcph", "adlm-dkarh", "SHLStandard",
	"rac_basic_sample_project", "SHL Project Template", "WRK-308", "Program Files", "Title Sheet", "Navisworks",
	"journal.0001", "journal.0002"}

var revitStamp = regexp.MustCompile(`\d{2}-[A-Za-z]{3}-\d{4} \d{2}:\d{2}:\d{2}\.\d{3}`)

// shiftedJournal is a real journal with every timestamp moved so that its
// first one is start (the agent only keeps events of the last two years).
func shiftedJournal(t testing.TB, name string, loc *time.Location, start time.Time) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("internal", "revitjournal", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	const layout = "02-Jan-2006 15:04:05.000"
	first, err := time.ParseInLocation(layout, string(revitStamp.Find(data)), loc)
	if err != nil {
		t.Fatal(err)
	}
	delta := start.Sub(first)
	return revitStamp.ReplaceAllFunc(data, func(b []byte) []byte {
		ts, err := time.ParseInLocation(layout, string(b), loc)
		if err != nil {
			t.Fatal(err)
		}
		return []byte(ts.Add(delta).In(loc).Format(layout))
	})
}

// TestRevitJournalsRealAgent runs the real agent on a folder holding
// copies of two real Revit journals: one finished, one still being written
// by a running "Revit" process (a real process named so). Each becomes one
// session, the running one ends when its process is killed, nothing is
// read twice across a restart, and no text of the journals reaches the
// database or the agent's log. The agent runs in Copenhagen's time zone,
// as the journals' wall-clock times do.
func TestRevitJournalsRealAgent(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		testenv.Missing(t, "no time zone database: %v", err)
	}
	e := newEnv(t)
	// The process scan is on: a Revit process and its journal are one session.
	if err := os.WriteFile(e.config, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	me, _ := user.Current()
	e.cli(t, "consent", "--user", me.Username, "on")
	journals := filepath.Join(t.TempDir(), "Autodesk Revit 2016", "Journals")
	if err := os.MkdirAll(journals, 0o755); err != nil {
		t.Fatal(err)
	}
	// A finished session two hours ago.
	now := time.Now().In(loc).Truncate(time.Millisecond)
	if err := os.WriteFile(filepath.Join(journals, "journal.0002.txt"), shiftedJournal(t, "journal.0002.txt", loc, now.Add(-2*time.Hour)), 0o644); err != nil {
		t.Fatal(err)
	}
	// A Revit running now, its journal cut before it finished, with a
	// line half written.
	revit := startRevit(t)
	running := shiftedJournal(t, "journal.0001.txt", loc, now)
	cut := bytes.Index(running, []byte("finished recording journal file"))
	cut = bytes.LastIndexByte(running[:cut], '\n') + 1
	partial := []byte(" Jrn.Command \"Ribbon\" , \"Create a wall , ID_OBJECTS_WA")
	path1 := filepath.Join(journals, "journal.0001.txt")
	if err := os.WriteFile(path1, append(append([]byte{}, running[:cut]...), partial...), 0o644); err != nil {
		t.Fatal(err)
	}
	// Written a while ago, so only the process tells the session runs.
	old := time.Now().Add(-5 * time.Minute)
	os.Chtimes(path1, old, old)

	logs := &testenv.Buffer{}
	agent := e.startRevitAgent(t, journals, logs)
	// 0002: start, 4 commands, open, end; 0001 so far: start, 4 commands, open.
	e.waitRevitEvents(t, 13)
	x := e.export(t)
	types := revitTypes(x)
	if got := strings.Join(types, " "); strings.Count(got, "session.start") != 2 || strings.Count(got, "session.end") != 1 ||
		strings.Count(got, "document.open") != 2 || strings.Contains(got, "ID_OBJECTS_WALL") {
		t.Fatalf("events %s", got)
	}
	want := days(now.Add(-2*time.Hour), now.Add(-2*time.Hour+5*time.Minute)) + days(now, now.Add(time.Minute))
	e.checkRevitDays(t, want)
	for _, ev := range x.Events {
		if ev["type"] == "session.start" && ev["startup_ms"] == nil {
			t.Errorf("no startup time: %v", ev)
		}
		if ev["type"] == "document.open" && (ev["duration_ms"] == nil || ev["size_bytes"] == nil) {
			t.Errorf("open without duration or size: %v", ev)
		}
	}
	// Local time: the journals' first stamps are these times in Copenhagen.
	if !hasStart(x, now) || !hasStart(x, now.Add(-2*time.Hour)) {
		t.Fatalf("session starts are not the journals' local times %s and %s: %v", now, now.Add(-2*time.Hour), x.Events)
	}

	// Revit finishes the line it was writing; then the agent restarts.
	f, err := os.OpenFile(path1, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("LL\"\r\n")
	f.Close()
	os.Chtimes(path1, old, old)
	e.waitRevitEvents(t, 14)
	agent.Process.Signal(syscall.SIGKILL)
	agent.Wait()
	agent = e.startRevitAgent(t, journals, logs)
	// Revit exits without finishing its journal (a crash): its session ends.
	revit.Process.Kill()
	revit.Wait()
	testenv.Eventually(t, 30*time.Second, "the running journal's session ended", func() error {
		if n := strings.Count(strings.Join(revitTypes(e.export(t)), " "), "session.end"); n != 2 {
			return fmt.Errorf("%d session ends", n)
		}
		return nil
	})
	x = e.export(t)
	if got := strings.Join(revitTypes(x), " "); len(revitTypes(x)) != 15 || strings.Count(got, "ID_OBJECTS_WALL") != 1 {
		t.Fatalf("after restart and end: %d events %s", len(x.Events), got)
	}
	e.checkRevitDays(t, days(now.Add(-2*time.Hour), now.Add(-2*time.Hour+5*time.Minute))+days(now, time.Now()))
	agent.Process.Signal(syscall.SIGTERM)
	agent.Wait()

	var blob []byte
	entries, _ := os.ReadDir(e.data)
	for _, en := range entries {
		if b, err := os.ReadFile(filepath.Join(e.data, en.Name())); err == nil {
			blob = append(blob, b...)
		}
	}
	blob = append(blob, logs.Bytes()...)
	if !bytes.Contains(logs.Bytes(), []byte("agent started")) || len(blob) < 8192 {
		t.Fatalf("nothing to check: %d bytes, log %s", len(blob), logs)
	}
	for _, s := range revitSecrets {
		if bytes.Contains(blob, []byte(s)) {
			t.Errorf("%q of a journal is in the database or the log", s)
		}
	}
	if bytes.Contains(blob, []byte(journals)) {
		t.Error("the journal folder's path is in the database or the log")
	}
}

func (e env) startRevitAgent(t *testing.T, journals string, logs *testenv.Buffer) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(agentBin, "run", "--config", e.config, "--data-dir", e.data, "--spool-dir", e.spool,
		"--socket", e.socket, "--scan-interval", "200ms", "--revit-journals", journals)
	cmd.Env = append(os.Environ(), "TZ=Europe/Copenhagen")
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	e.waitDB(t)
	return cmd
}

// startRevit runs a real process named Revit from a "Revit 2016" folder.
func startRevit(t *testing.T) *exec.Cmd {
	t.Helper()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		testenv.Missing(t, "no sleep binary")
	}
	dir := filepath.Join(t.TempDir(), "Autodesk", "Revit 2016")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "Revit")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func revitTypes(x export) []string {
	var out []string
	for _, ev := range x.Events {
		if ev["product"] != "Revit" {
			continue
		}
		s, _ := ev["type"].(string)
		if n, ok := ev["name"].(string); ok {
			s += ":" + n
		}
		out = append(out, s)
	}
	return out
}

func hasStart(x export, at time.Time) bool {
	for _, ev := range x.Events {
		if ev["type"] != "session.start" {
			continue
		}
		if ts, err := time.Parse(time.RFC3339Nano, ev["ts"].(string)); err == nil && ts.Equal(at) {
			return true
		}
	}
	return false
}

// checkRevitDays: the Revit sessions of the days add up to want, however
// many times the process scan saw the running one.
func (e env) checkRevitDays(t *testing.T, want int) {
	t.Helper()
	var x struct {
		Days []struct {
			Product  string `json:"product"`
			Version  string `json:"version"`
			Sessions int    `json:"sessions"`
		} `json:"days"`
	}
	if err := json.Unmarshal(e.cli(t, "export"), &x); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range x.Days {
		if d.Product == "Revit" {
			if d.Version != "2016" {
				t.Errorf("Revit day of version %q", d.Version)
			}
			n += d.Sessions
		}
	}
	if n != want {
		t.Fatalf("%d Revit sessions in the days, want %d: %+v", n, want, x.Days)
	}
}

// days is the number of local days a session from a to b counts on.
func days(a, b time.Time) int {
	n := 1
	b = b.In(a.Location())
	for d := a; d.Format("2006-01-02") != b.Format("2006-01-02"); d = d.AddDate(0, 0, 1) {
		n++
	}
	return n
}

// waitRevitEvents waits for want Revit events: other tests' product
// processes may add sessions of other products meanwhile.
func (e env) waitRevitEvents(t *testing.T, want int) {
	t.Helper()
	testenv.Eventually(t, 30*time.Second, "Revit events stored", func() error {
		out, err := e.tryCLI("export")
		if err != nil {
			return err
		}
		var x export
		if err := json.Unmarshal(out, &x); err != nil {
			return err
		}
		if n := len(revitTypes(x)); n > want {
			t.Fatalf("%d Revit events, want %d: %v", n, want, revitTypes(x))
		} else if n != want {
			return fmt.Errorf("%d Revit events, want %d", n, want)
		}
		return nil
	})
}
