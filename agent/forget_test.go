//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestForgetLeavesNoTrace plants markers through the spool of a running
// agent, forgets their user and then looks for the markers' bytes in the
// database, its write-ahead log and everything else in the data directory,
// while the agent still runs and after it stopped.
func TestForgetLeavesNoTrace(t *testing.T) {
	e := newEnv(t)
	me, _ := user.Current()
	e.cli(t, "consent", "--user", me.Username, "on")
	agent := e.start(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent log:\n%s", agent.Stderr)
		}
	})
	markers := []string{"tlsMarkerSession7q", "TLSMARKERCMD9Z", "tlsMarkerSetting4"}
	var b strings.Builder
	const n = 400
	ts := time.Now().UTC().Add(-time.Hour)
	for i := 0; i < n; i++ {
		at := ts.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		switch i % 2 {
		case 0:
			fmt.Fprintf(&b, `{"v":1,"ts":%q,"product":"AutoCAD","version":"2027.1","session":%q,"type":"command","name":%q,"outcome":"completed"}`+"\n", at, markers[0], markers[1])
		default:
			fmt.Fprintf(&b, `{"v":1,"ts":%q,"product":"AutoCAD","version":"2027.1","session":%q,"type":"setting","name":%q,"value":%d}`+"\n", at, markers[0], markers[2], i)
		}
	}
	if err := os.WriteFile(filepath.Join(e.spool, "marked.jsonl"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(t, n)
	if found := grepDir(t, e.data, markers); len(found) == 0 {
		t.Fatal("the markers are not in the data directory: the test would prove nothing")
	}

	e.cli(t, "forget", "--user", me.Username)
	if found := grepDir(t, e.data, markers); len(found) > 0 {
		t.Fatalf("after forget, with the agent running, markers remain: %v", found)
	}
	// The agent keeps working and writes on; the markers must not come back.
	start := `{"v":1,"ts":"` + recentStart.Format(time.RFC3339) + `","product":"AutoCAD","version":"2027.1","session":"after","type":"session.start"}` + "\n"
	if err := os.WriteFile(filepath.Join(e.spool, "after.jsonl"), []byte(start), 0o600); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(t, 1)
	if found := grepDir(t, e.data, markers); len(found) > 0 {
		t.Fatalf("after forget and new writes, markers remain: %v", found)
	}
}

// grepDir lists "file: marker" for every marker found in a file under dir.
func grepDir(t *testing.T, dir string, markers []string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range markers {
			if n := bytes.Count(b, []byte(m)); n > 0 {
				found = append(found, fmt.Sprintf("%s: %s x%d", filepath.Base(path), m, n))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
