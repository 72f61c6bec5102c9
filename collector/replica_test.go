package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"teamlens/collector/internal/store/storetest"
	"teamlens/internal/fleetsim"
	"teamlens/internal/testenv"
)

// replica is a running `collector serve` process.
type replica struct {
	url string
	log *strings.Builder
	mu  *sync.Mutex
}

func (r replica) logged() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

var listening = regexp.MustCompile(`msg="collector listening" addr=(\S+)`)

// serve starts a replica on db and returns once it listens.
func serve(t *testing.T, bin, db string) replica {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--enroll-secret", "s3cret", "--insights-hour", "0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	r := replica{log: &strings.Builder{}, mu: &sync.Mutex{}}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			r.mu.Lock()
			r.log.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		r.url = "http://" + a
	case <-time.After(time.Minute):
		t.Fatalf("replica did not listen: %s", r.logged())
	}
	return r
}

// TestReplicasShareOnePostgres runs two collector processes on one
// PostgreSQL database under the fleet simulator: devices upload to either,
// the daily insight job runs once for both, and both serve the same
// snapshots.
func TestReplicasShareOnePostgres(t *testing.T) {
	testenv.Short(t, "builds the binary and runs two servers")
	testenv.PostgresURL(t)
	bin := testenv.Build(t, ".")
	db := storetest.PostgresDSN(t)
	dir := t.TempDir()
	org := fleetsim.New(fleetsim.Options{Users: 60, Days: 100, Seed: 5})
	files, err := org.WriteCSV(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if out, err := exec.Command(bin, "import", "--db", db, "--kind", f[0], f[1]).CombinedOutput(); err != nil {
			t.Fatalf("import %s: %v: %s", f[0], err, out)
		}
	}
	a, b := serve(t, bin, db), serve(t, bin, db)

	rec, err := org.Upload(context.Background(), fleetsim.UploadOptions{Collectors: []string{a.url, b.url}, EnrollSecret: "s3cret",
		StateDir: filepath.Join(dir, "devices"), Concurrency: 4, BatchDays: 300})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Others() > 0 || rec.DaysAcked == 0 {
		t.Fatalf("upload to both replicas: %s", rec.Summary())
	}
	t.Logf("uploaded %d days to two replicas: %s", rec.DaysAcked, rec.Summary())

	// Both replicas ran their daily job at start: one computed the day.
	computed := 0
	for _, r := range []replica{a, b} {
		computed += strings.Count(r.logged(), `msg="insights computed"`)
	}
	if computed != 1 {
		t.Fatalf("the daily insights were computed %d times by two replicas, want once:\n%s\n%s", computed, a.logged(), b.logged())
	}

	// Today's snapshots, asked of both replicas at once, are one computation.
	for _, team := range []string{"acme", "brick", "civic", "delta", "forge", "heritage"} {
		out, err := exec.Command(bin, "admin", "--db", db, "--team", team, "--email", "ops@example.com", "--role", "primary", "--can-purchase").Output()
		if err != nil {
			t.Fatal(err)
		}
		token := strings.TrimSpace(string(out))
		var wg sync.WaitGroup
		bodies := make([]string, 2)
		for i, r := range []replica{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				bodies[i] = get(t, r.url+"/v1/teams/"+team+"/insights", token)
			}()
		}
		wg.Wait()
		if bodies[0] != bodies[1] {
			t.Errorf("%s: the replicas serve different snapshots:\n%s\n%s", team, bodies[0], bodies[1])
		}
		var snap struct{ Insights []json.RawMessage }
		if err := json.Unmarshal([]byte(bodies[0]), &snap); err != nil {
			t.Fatal(err)
		}
		if team == "acme" && len(snap.Insights) == 0 {
			t.Errorf("acme has no insights after the upload: %s", bodies[0])
		}
	}
}

func get(t *testing.T, url, token string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}
