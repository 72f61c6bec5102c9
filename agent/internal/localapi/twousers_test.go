//go:build unix

package localapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"teamlens/internal/testenv"
	"teamlens/shared/localclient"
)

// childEnv, when set, turns this test binary into the other user's client
// (see TestOtherUserClient); its value is the socket.
const childEnv = "TEAMLENS_LOCALAPI_CHILD_SOCKET"

// childReport is what the client run as user A saw.
type childReport struct {
	Me            localclient.Me     `json:"me"`
	Export        localclient.Export `json:"export"`
	DaysOfB       int                `json:"days_of_b"` // rows answered to ?user=B
	SpoofStatus   int                `json:"spoof_status"`
	ConsentOn     bool               `json:"consent_on"`
	ForgetErr     string             `json:"forget_err"`
	ExportAfterFn int                `json:"export_after_forget"`
}

// TestTwoUsers runs a client as another OS user (A) against a store that
// holds A's and B's data, and checks that A sees only A's data and that
// nothing A does touches B's consent or data.
func TestTwoUsers(t *testing.T) {
	testenv.NeedRoot(t, "create users and run a process as one")
	if _, err := exec.LookPath("useradd"); err != nil {
		testenv.Missing(t, "useradd not found")
	}
	ctx := context.Background()
	a, b := ensureUser(t, "tlviewa"), ensureUser(t, "tlviewb")
	e := start(t, userChoice)

	consentOn(t, e.store, b.Username)
	commit(t, e.store, b.Username, session(now.AddDate(0, 0, -1), "Revit", "2027", 50, 9000, "WALL", "DOOR"))
	commit(t, e.store, a.Username, session(now.AddDate(0, 0, -2), "AutoCAD", "2027.1", 25, -1))
	before, err := e.store.Export(ctx, b.Username)
	if err != nil {
		t.Fatal(err)
	}

	// The test binary is run as A, so A must be able to read it.
	bin := filepath.Join(filepath.Dir(e.socket), "client.test")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, self, bin)
	uid, _ := strconv.ParseUint(a.Uid, 10, 32)
	gid, _ := strconv.ParseUint(a.Gid, 10, 32)
	cmd := exec.Command(bin, "-test.run=^TestOtherUserClient$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+e.socket, "TEAMLENS_OTHER_USER="+b.Username)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("client as %s: %v\n%s", a.Username, err, out)
	}
	var rep childReport
	line := reportLine(string(out))
	if err := json.Unmarshal([]byte(line), &rep); err != nil {
		t.Fatalf("no report from the client: %v\n%s", err, out)
	}

	if rep.Me.User != a.Username {
		t.Fatalf("the API took user A for %q", rep.Me.User)
	}
	if len(rep.Export.Days) != 1 || rep.Export.Days[0].User != a.Username || rep.Export.Days[0].Product != "AutoCAD" {
		t.Errorf("A's export days: %+v", rep.Export.Days)
	}
	for _, ev := range rep.Export.Events {
		if strings.Contains(string(ev), "Revit") {
			t.Errorf("A's export holds B's event %s", ev)
		}
	}
	if rep.DaysOfB != 0 {
		t.Errorf("?user=%s gave A %d of B's days", b.Username, rep.DaysOfB)
	}
	if rep.SpoofStatus != http.StatusBadRequest {
		t.Errorf("a consent body naming B answered %d, want 400", rep.SpoofStatus)
	}
	if !rep.ConsentOn || rep.ForgetErr != "" || rep.ExportAfterFn != 0 {
		t.Errorf("A's own consent/forget: %+v", rep)
	}

	// B is untouched: consent still on, data whole.
	if on, err := e.store.Consent(ctx, b.Username); err != nil || !on {
		t.Errorf("B's consent after A's calls: %v, %v", on, err)
	}
	after, err := e.store.Export(ctx, b.Username)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Events) != len(before.Events) || len(after.Days) != len(before.Days) || len(after.Events) == 0 {
		t.Errorf("B's data changed: %d events, %d days before; %d, %d after",
			len(before.Events), len(before.Days), len(after.Events), len(after.Days))
	}
	// And A's forget did reach A's data: its consent went with it.
	if on, _ := e.store.Consent(ctx, a.Username); on {
		t.Error("A's consent survived A's forget")
	}
	if rest, _ := e.store.Export(ctx, a.Username); len(rest.Events) != 0 {
		t.Errorf("A's forget left %d events", len(rest.Events))
	}
}

// TestOtherUserClient is the client half of TestTwoUsers; it runs only in
// the child process.
func TestOtherUserClient(t *testing.T) {
	socket := os.Getenv(childEnv)
	if socket == "" {
		t.Skip("runs as the child of TestTwoUsers")
	}
	ctx := context.Background()
	other := os.Getenv("TEAMLENS_OTHER_USER")
	c := localclient.NewClient(socket)
	var rep childReport
	var err error
	if rep.Me, err = c.Me(ctx); err != nil {
		t.Fatal(err)
	}
	if rep.Export, err = c.Export(ctx); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: transport(socket)}
	resp, err := hc.Get("http://agent/v1/days?user=" + other)
	if err != nil {
		t.Fatal(err)
	}
	var days []map[string]any
	json.NewDecoder(resp.Body).Decode(&days)
	resp.Body.Close()
	for _, d := range days {
		if d["user"] == other {
			rep.DaysOfB++
		}
	}
	req, _ := http.NewRequest("PUT", "http://agent/v1/consent", strings.NewReader(`{"on":false,"user":"`+other+`"}`))
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	rep.SpoofStatus = resp.StatusCode
	if rep.ConsentOn, err = c.SetConsent(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := c.Forget(ctx); err != nil {
		rep.ForgetErr = err.Error()
	}
	after, err := c.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep.ExportAfterFn = len(after.Events) + len(after.Days)
	out, _ := json.Marshal(rep)
	fmt.Printf("REPORT %s\n", out)
}

func reportLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "REPORT "); ok {
			return rest
		}
	}
	return ""
}

// ensureUser creates a system user with no home and no login shell unless
// it exists already; users are left for the next run.
func ensureUser(t *testing.T, name string) *user.User {
	t.Helper()
	if u, err := user.Lookup(name); err == nil {
		return u
	}
	out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput()
	if err != nil {
		t.Fatalf("useradd %s: %v\n%s", name, err, out)
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}
