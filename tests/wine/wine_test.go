// Package wine runs the Windows builds of Teamlens under Wine (winetest):
// the agent serving its local API on the named pipe, a user's commands
// through it, and the Windows-only unit tests of the packages that talk to
// Windows (peer identity, the pipe listener, the service run).
package wine

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/internal/testenv"
	"teamlens/internal/winetest"
)

// TestWindowsUnitTests runs the Windows-only tests of the packages that
// call Windows, cross-built, under Wine.
func TestWindowsUnitTests(t *testing.T) {
	p := winetest.Shared(t)
	for _, c := range []struct{ pkg, run string }{
		{"teamlens/agent/internal/peercred", "^TestGet(NamesThePipeClient|RefusesOtherConnections)$"},
		{"teamlens/agent/internal/localapi", "^TestPipe"},
		{"teamlens/agent/internal/servicerun", "^TestHandler"},
	} {
		exe := p.Host(`C:\teamlens-test\` + filepath.Base(c.pkg) + ".test.exe")
		winetest.BuildTest(t, c.pkg, exe)
		out, errOut, err := p.Run(exe, "-test.v", "-test.count=1", "-test.run", c.run)
		if err != nil || !strings.Contains(out, "PASS") || strings.Contains(out, "--- SKIP") {
			t.Errorf("%s under Wine: %v\n%s\n%s", c.pkg, err, out, errOut)
			continue
		}
		t.Logf("%s under Wine:\n%s", c.pkg, out)
	}
}

// TestAgentServesTheUserOverThePipe runs agent.exe under Wine as a
// workstation runs it: a journal line written to the spool is read back by
// the user's own unelevated `agent.exe status` and `export`, which go
// through the named pipe, where the agent names the caller from their
// token (DOMAIN\user) and refuses them another user's data.
func TestAgentServesTheUserOverThePipe(t *testing.T) {
	p := winetest.Shared(t)
	p.InstallLimited(t)
	agent := `C:\Teamlens\agent.exe`
	winetest.Build(t, "teamlens/agent", p.Host(agent))
	spool := `C:\ProgramData\Teamlens\spool`
	if err := os.MkdirAll(p.Host(spool), 0o755); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(filepath.Join(t.TempDir(), "agent.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	run := p.Command(t.Context(), agent, "run", "--data-dir", `C:\ProgramData\Teamlens`, "--spool-dir", spool, "--scan-interval", "1s")
	run.Stdout, run.Stderr = log, log
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = run.Process.Kill()
		_ = run.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("agent log:\n%s", b)
		}
	}()

	var status struct {
		Counts struct{ Events int } `json:"counts"`
	}
	testenv.Eventually(t, time.Minute, "agent.exe status through the pipe", func() error {
		out, errOut, err := p.RunLimited(agent, "status")
		if err != nil {
			return winetest.Errorf("status", err, out, errOut)
		}
		return json.Unmarshal([]byte(out), &status)
	})
	if status.Counts.Events != 0 {
		t.Fatalf("a fresh agent counts %d events", status.Counts.Events)
	}

	ts := testenv.Today().AddDate(0, 0, -1).Add(9 * time.Hour).Format(time.RFC3339)
	journal := fmt.Sprintf(`{"v":1,"ts":%q,"product":"AutoCAD","version":"2027.1","session":"wine1","type":"session.start"}`+"\n", ts)
	if err := os.WriteFile(filepath.Join(p.Host(spool), "wine1.jsonl"), []byte(journal), 0o644); err != nil {
		t.Fatal(err)
	}
	var export struct {
		Events []struct{ Session, Product string }
		Days   []struct{ User, Product string }
	}
	testenv.Eventually(t, time.Minute, "the journal line in the user's export", func() error {
		out, errOut, err := p.RunLimited(agent, "export")
		if err != nil {
			return winetest.Errorf("export", err, out, errOut)
		}
		if err := json.Unmarshal([]byte(out), &export); err != nil {
			return err
		}
		if len(export.Events) != 1 || len(export.Days) != 1 {
			return fmt.Errorf("export has %d events and %d days: %s", len(export.Events), len(export.Days), out)
		}
		return nil
	})
	if e := export.Events[0]; e.Session != "wine1" || e.Product != "AutoCAD" {
		t.Errorf("exported event %+v", e)
	}
	// Wine's user is the host's login in the machine's domain.
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	login := export.Days[0].User
	if domain, name, ok := strings.Cut(login, `\`); !ok || domain == "" || !strings.EqualFold(name, me.Username) {
		t.Errorf("the day is %q's, want DOMAIN\\%s", login, me.Username)
	}

	out, errOut, err := p.RunLimited(agent, "export", "--user", `OTHERPC\somebody`)
	if err == nil || !strings.Contains(errOut, "only root may") {
		t.Errorf("an unelevated export of another user: %v\n%s\n%s", err, out, errOut)
	}
	out, errOut, err = p.RunLimited(agent, "consent", "--user", login, "on")
	if err != nil || strings.TrimSpace(out) != "on" {
		t.Errorf("consent on through the pipe: %v\n%s\n%s", err, out, errOut)
	}
}

// TestServiceInstallUnderWine installs the agent as the Windows service
// with installer.exe as an administrator does: the service control manager
// sees it running, it logs to %ProgramData%\Teamlens\agent.log, a journal
// line reaches the user's unelevated `agent.exe export` through the pipe,
// and `uninstall --purge` removes the service, the files and the data.
func TestServiceInstallUnderWine(t *testing.T) {
	p := winetest.Shared(t)
	p.InstallLimited(t)
	build := `C:\teamlens-build`
	winetest.Build(t, "teamlens/agent", p.Host(build+`\agent.exe`))
	winetest.Build(t, "teamlens/installer", p.Host(build+`\installer.exe`))
	installer := build + `\installer.exe`
	out, errOut, err := p.Run(installer, "install", "--collector", "http://127.0.0.1:9", "--enroll-secret", "s3cret",
		"--agent-binary", build+`\agent.exe`, "--silent")
	if err != nil {
		t.Fatal(winetest.Errorf("installer install", err, out, errOut))
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(p.Host(`C:\ProgramData\Teamlens\agent.log`))
			t.Logf("agent.log:\n%s", b)
		}
		p.Run(installer, "uninstall", "--purge")
	})
	out, errOut, err = p.Run("sc", "query", "teamlens-agent")
	if err != nil || !strings.Contains(out, "RUNNING") {
		t.Fatal(winetest.Errorf("sc query teamlens-agent", err, out, errOut))
	}
	// Retried: Wine (not Windows) now and then hands a client the pipe
	// listener's placeholder instance, which never answers (winetest).
	testenv.Eventually(t, 20*time.Second, "installer status says running and answering", func() error {
		if out, errOut, err := p.Run(installer, "status"); err != nil {
			return winetest.Errorf("installer status", err, out, errOut)
		}
		return nil
	})
	agent := `C:\Program Files\Teamlens\agent.exe`
	ts := testenv.Today().AddDate(0, 0, -1).Add(10 * time.Hour).Format(time.RFC3339)
	journal := fmt.Sprintf(`{"v":1,"ts":%q,"product":"Revit","version":"2026","session":"svc1","type":"session.start"}`+"\n", ts)
	if err := os.WriteFile(p.Host(`C:\ProgramData\Teamlens\spool\svc1.jsonl`), []byte(journal), 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, time.Minute, "the journal line in the user's export through the service's pipe", func() error {
		out, errOut, err := p.RunLimited(agent, "export")
		if err != nil {
			return winetest.Errorf("export", err, out, errOut)
		}
		if !strings.Contains(out, `"session": "svc1"`) {
			return fmt.Errorf("export: %s", out)
		}
		return nil
	})
	if b, err := os.ReadFile(p.Host(`C:\ProgramData\Teamlens\agent.log`)); err != nil || !strings.Contains(string(b), "agent started") {
		t.Errorf("agent.log: %v\n%s", err, b)
	}

	if out, errOut, err := p.Run(installer, "uninstall", "--purge"); err != nil {
		t.Fatal(winetest.Errorf("installer uninstall --purge", err, out, errOut))
	}
	if out, _, err := p.Run("sc", "query", "teamlens-agent"); err == nil && strings.Contains(out, "teamlens-agent") {
		t.Errorf("the service is still registered:\n%s", out)
	}
	for _, dir := range []string{`C:\ProgramData\Teamlens`, `C:\Program Files\Teamlens`} {
		if _, err := os.Stat(p.Host(dir)); !os.IsNotExist(err) {
			t.Errorf("%s is left after uninstall --purge (%v)", dir, err)
		}
	}
}

// TestMSIUnderWine builds the MSI with `installer package --format msi`
// from the Windows builds and deploys it silently as Intune or Group
// Policy would: msiexec /i /qn with COLLECTOR overriding the baked URL
// starts the service (sc query RUNNING) with that configuration, a newer
// MSI upgrades it in place keeping the agent's data, and msiexec /x with
// PURGE=1 removes the service and the data.
func TestMSIUnderWine(t *testing.T) {
	if _, err := exec.LookPath("wixl"); err != nil {
		testenv.Missing(t, "wixl is not installed (Debian's wixl, scripts/deps.sh test)")
	}
	p := winetest.Shared(t)
	bin := t.TempDir()
	winetest.Build(t, "teamlens/agent", filepath.Join(bin, "agent.exe"))
	winetest.Build(t, "teamlens/installer", filepath.Join(bin, "installer.exe"))
	installer := filepath.Join(t.TempDir(), "installer")
	if b, err := exec.Command("go", "build", "-o", installer, "teamlens/installer").CombinedOutput(); err != nil {
		t.Fatalf("build the installer: %v\n%s", err, b)
	}
	build := func(version string) string {
		t.Helper()
		out, err := exec.Command(installer, "package", "--format", "msi", "--collector", "http://127.0.0.1:9", "--enroll-secret", "s3cret",
			"--version", version, "--agent-binary", filepath.Join(bin, "agent.exe"), "--installer-binary", filepath.Join(bin, "installer.exe"),
			"--out", p.Host(`C:\dist`)).Output()
		if err != nil {
			t.Fatalf("installer package --format msi: %v", err)
		}
		name := "teamlens-agent-" + version + "-x64.msi"
		if got := strings.TrimSpace(string(out)); filepath.Base(got) != name {
			t.Fatalf("package printed %q, want .../%s", got, name)
		}
		return `C:\dist\` + name
	}
	p.InstallLimited(t)
	agent := `C:\Program Files\Teamlens\agent.exe`
	msi := build("1.2.3")
	if o, e, err := p.Run("msiexec", "/i", msi, "/qn", "COLLECTOR=http://127.0.0.1:8"); err != nil {
		t.Fatal(winetest.Errorf("msiexec /i", err, o, e))
	}
	t.Cleanup(func() { p.Run("msiexec", "/x", msi, "/qn", "PURGE=1") }) // msi is the installed one
	if o, e, err := p.Run("sc", "query", "teamlens-agent"); err != nil || !strings.Contains(o, "RUNNING") {
		t.Fatal(winetest.Errorf("sc query teamlens-agent", err, o, e))
	}
	conf, err := os.ReadFile(p.Host(`C:\ProgramData\Teamlens\agent.toml`))
	if err != nil || !strings.Contains(string(conf), `collector = "http://127.0.0.1:8"`) {
		t.Errorf("agent.toml after COLLECTOR=...: %v\n%s", err, conf)
	}
	if _, err := os.Stat(p.Host(`C:\Program Files\Teamlens\agent.exe`)); err != nil {
		t.Errorf("agent.exe in Program Files: %v", err)
	}
	// The AutoCAD bundle, where AutoCAD's autoloader looks.
	bundle := `C:\ProgramData\Autodesk\ApplicationPlugins\Teamlens.bundle`
	for _, f := range []string{`\PackageContents.xml`, `\Contents\teamlens.lsp`} {
		if _, err := os.Stat(p.Host(bundle + f)); err != nil {
			t.Errorf("the AutoCAD bundle's %s: %v", f, err)
		}
	}

	// A journal line, then the upgrade: a newer MSI replaces the older in
	// place, and the agent still holds the day.
	ts := testenv.Today().AddDate(0, 0, -1).Add(11 * time.Hour).Format(time.RFC3339)
	journal := fmt.Sprintf(`{"v":1,"ts":%q,"product":"AutoCAD","version":"2027.1","session":"msi1","type":"session.start"}`+"\n", ts)
	if err := os.WriteFile(p.Host(`C:\ProgramData\Teamlens\spool\msi1.jsonl`), []byte(journal), 0o644); err != nil {
		t.Fatal(err)
	}
	exported := func(what string) {
		t.Helper()
		testenv.Eventually(t, time.Minute, what, func() error {
			o, e, err := p.RunLimited(agent, "export")
			if err != nil {
				return winetest.Errorf("export", err, o, e)
			}
			if !strings.Contains(o, `"session": "msi1"`) {
				return fmt.Errorf("export: %s", o)
			}
			return nil
		})
	}
	exported("the journal line in the user's export")
	newer := build("1.2.4")
	if o, e, err := p.Run("msiexec", "/i", newer, "/qn"); err != nil {
		t.Fatal(winetest.Errorf("msiexec /i the newer MSI", err, o, e))
	}
	if o, e, err := p.Run("sc", "query", "teamlens-agent"); err != nil || !strings.Contains(o, "RUNNING") {
		t.Fatal(winetest.Errorf("sc query teamlens-agent after the upgrade", err, o, e))
	}
	exported("the day kept across the upgrade")
	msi = newer

	if o, e, err := p.Run("msiexec", "/x", msi, "/qn", "PURGE=1"); err != nil {
		t.Fatal(winetest.Errorf("msiexec /x PURGE=1", err, o, e))
	}
	if o, _, err := p.Run("sc", "query", "teamlens-agent"); err == nil && strings.Contains(o, "teamlens-agent") {
		t.Errorf("the service is still registered:\n%s", o)
	}
	if _, err := os.Stat(p.Host(`C:\ProgramData\Teamlens`)); !os.IsNotExist(err) {
		t.Errorf("the data is left after PURGE=1 (%v)", err)
	}
	if _, err := os.Stat(p.Host(bundle + `\PackageContents.xml`)); !os.IsNotExist(err) {
		t.Errorf("the AutoCAD bundle is left after uninstall (%v)", err)
	}
}

func TestMain(m *testing.M) { winetest.Main(m) }
