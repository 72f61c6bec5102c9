package procscan

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/shirou/gopsutil/v3/process"
)

// TestPidListerMatchesGopsutil lists /proc twice with one lister, around
// a child's start, and checks it against gopsutil's listing.
func TestPidListerMatchesGopsutil(t *testing.T) {
	ctx := context.Background()
	var l pidLister
	before, err := l.list(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before = slices.Clone(before)
	if !slices.Contains(before, int32(os.Getpid())) {
		t.Fatalf("own pid %d not listed in %v", os.Getpid(), before)
	}
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	after, err := l.list(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(after, int32(child.Process.Pid)) || slices.Contains(before, int32(child.Process.Pid)) {
		t.Fatalf("child %d: listed before %v, after %v", child.Process.Pid, slices.Contains(before, int32(child.Process.Pid)), slices.Contains(after, int32(child.Process.Pid)))
	}
	want, err := process.PidsWithContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Processes come and go between the two listings (other tests run
	// meanwhile), so a few may differ; a parsing fault differs in most.
	if d := symmetricDifference(after, want); len(d) > 5+len(want)/10 {
		t.Errorf("listings differ in %d of %d pids: %v", len(d), len(want), d)
	}
}

func symmetricDifference(a, b []int32) []int32 {
	var d []int32
	for _, p := range a {
		if !slices.Contains(b, p) {
			d = append(d, p)
		}
	}
	for _, p := range b {
		if !slices.Contains(a, p) {
			d = append(d, p)
		}
	}
	return d
}
