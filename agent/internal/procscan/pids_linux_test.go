package procscan

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v3/process"

	"teamlens/internal/testenv"
)

func none(int32) bool { return false }

// TestPidListerMatchesGopsutil lists /proc twice with one lister, around
// a child's start, and checks it against gopsutil's listing.
func TestPidListerMatchesGopsutil(t *testing.T) {
	ctx := context.Background()
	var l pidLister
	before, err := l.list(ctx, none)
	if err != nil {
		t.Fatal(err)
	}
	before = slices.Clone(before)
	if !slices.Contains(before, int32(os.Getpid())) {
		t.Fatalf("own pid %d not listed in %v", os.Getpid(), before)
	}
	child := startSleep(t)
	after, err := l.list(ctx, none)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(after, child) || slices.Contains(before, child) {
		t.Fatalf("child %d: listed before %v, after %v", child, slices.Contains(before, child), slices.Contains(after, child))
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

// TestPidListerBetweenListings takes the path most idle scans take: no
// listing, only the IDs handed out since the last one. A new process is
// found, new threads of a running one are not, and a tracked process that
// ended is left out.
func TestPidListerBetweenListings(t *testing.T) {
	ctx := context.Background()
	// However many IDs the machine hands out meanwhile, look at each.
	l := pidLister{probe: 1 << 30}
	if _, err := l.list(ctx, none); err != nil {
		t.Fatal(err)
	}
	// A Go program starts with several threads: the child brings new
	// process and thread IDs at once.
	child, threads := startThreaded(t)
	got, err := l.list(ctx, none)
	if err != nil {
		t.Fatal(err)
	}
	if l.quick != 1 {
		t.Fatalf("the second scan listed /proc (quick %d, last pid %d)", l.quick, l.lastPid)
	}
	if !slices.Contains(got, child) {
		t.Errorf("new child %d not found", child)
	}
	for _, tid := range threads {
		if slices.Contains(got, tid) {
			t.Errorf("thread %d of the child listed as a process", tid)
		}
	}
	if n := count(got, child); n != 1 {
		t.Errorf("child listed %d times", n)
	}

	proc, _ := os.FindProcess(int(child))
	_ = proc.Kill()
	_, _ = proc.Wait()
	got, err = l.list(ctx, func(p int32) bool { return p == child })
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(got, child) {
		t.Errorf("ended child %d still listed", child)
	}
	if !slices.Contains(got, int32(os.Getpid())) {
		t.Errorf("own pid %d left out", os.Getpid())
	}
}

// TestPidListerListsAgain lists the whole table again after fullEvery
// scans without one.
func TestPidListerListsAgain(t *testing.T) {
	ctx := context.Background()
	l := pidLister{probe: 1 << 30}
	var quick []int
	for range fullEvery + 2 {
		if _, err := l.list(ctx, none); err != nil {
			t.Fatal(err)
		}
		quick = append(quick, l.quick)
	}
	// The first scan lists, the next fullEvery do not, then one lists.
	if quick[0] != 0 || quick[fullEvery] != fullEvery || quick[fullEvery+1] != 0 {
		t.Errorf("scans since the last listing, scan by scan: %v", quick)
	}
}

func startSleep(t *testing.T) int32 {
	t.Helper()
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	return int32(child.Process.Pid)
}

// startThreaded starts this test binary as a helper that waits, and
// returns its pid and the IDs of its other threads.
func startThreaded(t *testing.T) (int32, []int32) {
	t.Helper()
	cmd := testenv.HelperCmd("TestWaitHelper", "TLS_PROCSCAN_WAIT=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// The helper prints a line once it runs its test: its threads are up.
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	pid := int32(cmd.Process.Pid)
	entries, err := os.ReadDir("/proc/" + strconv.Itoa(int(pid)) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	var tids []int32
	for _, e := range entries {
		if tid, err := strconv.Atoi(e.Name()); err == nil && int32(tid) != pid {
			tids = append(tids, int32(tid))
		}
	}
	if len(tids) == 0 {
		t.Fatalf("helper %d runs no other thread", pid)
	}
	return pid, tids
}

// TestWaitHelper is not a test: startThreaded runs it as a process that
// waits to be killed.
func TestWaitHelper(t *testing.T) {
	if !testenv.HelperProcess("TLS_PROCSCAN_WAIT") {
		t.Skip("helper process of TestPidListerBetweenListings")
	}
	fmt.Println("waiting")
	time.Sleep(time.Minute)
}

func count(s []int32, v int32) int {
	n := 0
	for _, p := range s {
		if p == v {
			n++
		}
	}
	return n
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
