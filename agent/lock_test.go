//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"teamlens/shared/localclient"

	"teamlens/internal/testenv"
)

// waitSocket waits until an agent answers on socket.
func waitSocket(t *testing.T, socket string) {
	t.Helper()
	c := localclient.NewClient(socket)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Health(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no agent answers on %s: %v", socket, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestOneAgentPerDataDirectory starts a second `agent run` on the data
// directory of a running one: it exits with an error naming the first
// one's process and leaves its socket answering.
func TestOneAgentPerDataDirectory(t *testing.T) {
	e := newEnv(t)
	first := e.start(t)
	waitSocket(t, e.socket)

	second := exec.Command(agentBin, "run", "--config", e.config, "--data-dir", e.data, "--spool-dir", e.spool,
		"--socket", e.socket)
	var stderr testenv.Buffer
	second.Stderr = &stderr
	done := make(chan error, 1)
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- second.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the second agent exited 0")
		}
	case <-time.After(20 * time.Second):
		second.Process.Kill()
		t.Fatalf("the second agent still runs; log:\n%s", stderr.String())
	}
	msg := stderr.String()
	if !strings.Contains(msg, "process "+strconv.Itoa(first.Process.Pid)) || !strings.Contains(msg, e.data) {
		t.Fatalf("the error does not name process %d and the data directory:\n%s", first.Process.Pid, msg)
	}
	waitSocket(t, e.socket)

	// Once the first has gone, even by SIGKILL, a new agent takes over.
	first.Process.Kill()
	first.Wait()
	e.start(t)
	waitSocket(t, e.socket)
}

// TestSocketOfALiveAgentIsKept starts an agent on another data directory
// but the same socket: the first one keeps answering on it.
func TestSocketOfALiveAgentIsKept(t *testing.T) {
	e := newEnv(t)
	first := e.start(t)
	waitSocket(t, e.socket)
	before, err := os.Stat(e.socket)
	if err != nil {
		t.Fatal(err)
	}
	other := newEnv(t)
	other.socket = e.socket
	second := other.start(t)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(second.Stderr.(*testenv.Buffer).String(), "another agent answers on") {
		if time.Now().After(deadline) {
			t.Fatalf("the second agent did not notice the live socket; log:\n%s", second.Stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	after, err := os.Stat(e.socket)
	if err != nil || !os.SameFile(before, after) {
		t.Fatalf("the live agent's socket was replaced: %v", err)
	}
	conn, err := net.Dial("unix", e.socket)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if first.ProcessState != nil {
		t.Fatal("the first agent exited")
	}
	if _, err := os.Stat(filepath.Join(e.data, "agent.lock")); err != nil {
		t.Fatal(err)
	}
}
