//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"teamlens/internal/testenv"
)

type queueStatus struct {
	Queue struct {
		DaysPending     int `json:"days_pending"`
		DaysQuarantined int `json:"days_quarantined"`
		Quarantined     []struct {
			Date, User, Product, Reason string
		} `json:"quarantined"`
	} `json:"queue"`
}

func (e env) queue(t *testing.T) queueStatus {
	t.Helper()
	var s queueStatus
	if err := json.Unmarshal(e.cli(t, "status"), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRequeue uploads a day of a product only this agent's catalog knows
// to the real collector, which refuses it: status lists it with the
// collector's reason and `agent requeue` puts it back in the queue.
func TestRequeue(t *testing.T) {
	dir := t.TempDir()
	collectorBin, addr := buildCollector(t, dir)
	c := exec.Command(collectorBin, "serve", "--db", filepath.Join(dir, "c.db"), "--listen", addr, "--enroll-secret", "s")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	testenv.Eventually(t, 20*time.Second, "collector up", func() error {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})

	e := newEnv(t)
	if err := os.WriteFile(e.config, []byte("process_scan = false\n[[product]]\nname = \"FooCAD\"\njournal = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	agent := exec.Command(agentBin, "run", "--config", e.config, "--data-dir", e.data, "--spool-dir", e.spool,
		"--socket", e.socket, "--collector", "http://"+addr, "--enroll-secret", "s", "--upload-interval", "1h")
	agent.Stderr = &testenv.Buffer{}
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	waitSocket(t, e.socket)
	ts := time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)
	journal := `{"v":1,"ts":"` + ts + `","product":"FooCAD","version":"1","session":"f1","type":"session.start"}` + "\n"
	if err := os.WriteFile(filepath.Join(e.spool, "f.jsonl"), []byte(journal), 0o600); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(t, 1)
	// The last upload at shutdown meets the refusal.
	agent.Process.Signal(syscall.SIGTERM)
	agent.Wait()
	s := e.queue(t)
	if s.Queue.DaysQuarantined != 1 || len(s.Queue.Quarantined) != 1 || s.Queue.Quarantined[0].Product != "FooCAD" ||
		!strings.Contains(s.Queue.Quarantined[0].Reason, "FooCAD") {
		t.Fatalf("status queue %+v; agent log:\n%s", s.Queue, agent.Stderr)
	}
	if out := string(e.cli(t, "requeue")); !strings.HasPrefix(out, "requeued 1 ") {
		t.Fatalf("requeue printed %q", out)
	}
	if s := e.queue(t); s.Queue.DaysPending != 1 || s.Queue.DaysQuarantined != 0 || len(s.Queue.Quarantined) != 0 {
		t.Fatalf("after requeue: %+v", s.Queue)
	}
}
