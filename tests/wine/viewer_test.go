package wine

import (
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"teamlens/internal/testenv"
	"teamlens/internal/winetest"
)

// TestViewerUnderWine runs viewer.exe, cross-built with mingw-w64's cgo,
// against agent.exe's named pipe on the suite's X display (Xvfb), and
// takes a screenshot of what it drew.
func TestViewerUnderWine(t *testing.T) {
	display := testenv.Display(t)
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		testenv.Missing(t, "x86_64-w64-mingw32-gcc is not installed (Debian's gcc-mingw-w64-x86-64)")
	}
	p := winetest.Shared(t)
	agent, viewer := `C:\Teamlens\agent.exe`, `C:\Teamlens\viewer.exe`
	winetest.Build(t, "teamlens/agent", p.Host(agent))
	build := exec.Command("go", "build", "-o", p.Host(viewer), "teamlens/viewer")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1", "CC=x86_64-w64-mingw32-gcc")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cross-build the viewer: %v\n%s", err, b)
	}
	if err := hasIcon(p.Host(viewer)); err != nil {
		t.Errorf("viewer.exe: %v", err)
	}
	spool := `C:\ProgramData\Teamlens\spool`
	if err := os.MkdirAll(p.Host(spool), 0o755); err != nil {
		t.Fatal(err)
	}
	run := p.Command(t.Context(), agent, "run", "--data-dir", `C:\ProgramData\TeamlensViewer`, "--spool-dir", spool, "--socket", `\\.\pipe\teamlens-viewer-test`)
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = run.Process.Kill(); _ = run.Wait() }()
	p.InstallLimited(t)
	testenv.Eventually(t, time.Minute, "the agent answering on its pipe", func() error {
		out, errOut, err := p.RunLimited(agent, "status", "--socket", `\\.\pipe\teamlens-viewer-test`)
		if err != nil {
			return winetest.Errorf("status", err, out, errOut)
		}
		return nil
	})
	v := p.Command(t.Context(), viewer, "--socket", `\\.\pipe\teamlens-viewer-test`)
	v.Env = append(v.Env, "DISPLAY="+display)
	logf, err := os.Create(filepath.Join(t.TempDir(), "viewer.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	v.Stdout, v.Stderr = logf, logf
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = v.Process.Kill(); _ = v.Wait() }()
	// Drawn: the screen holds more than the root window's one colour.
	dir := os.Getenv("TEAMLENS_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, "windows-viewer.png")
	testenv.Eventually(t, 2*time.Minute, "viewer.exe's window drawn", func() error {
		if out, err := exec.Command("import", "-display", display, "-window", "root", shot).CombinedOutput(); err != nil {
			return fmt.Errorf("import: %v %s", err, out)
		}
		out, err := exec.Command("identify", "-format", "%k", shot).Output()
		if n, _ := strconv.Atoi(strings.TrimSpace(string(out))); err != nil || n < 50 {
			return fmt.Errorf("the screen has %s colours", out)
		}
		return nil
	})
	// It drew what the agent answered: a viewer that cannot reach the
	// agent says so in its log, and on screen.
	b, _ := os.ReadFile(logf.Name())
	if strings.Contains(string(b), "not reachable") || v.ProcessState != nil {
		t.Errorf("viewer.exe did not reach the agent over the pipe:\n%s", b)
	}
	t.Logf("screenshot: %s", shot)
}

// hasIcon reports whether the PE file at path carries an icon group
// resource (RT_GROUP_ICON, 14), the icon Explorer and the Start menu show.
func hasIcon(path string) error {
	f, err := pe.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s := f.Section(".rsrc")
	if s == nil {
		return errors.New("no resource section")
	}
	b, err := s.Data()
	if err != nil || len(b) < 16 {
		return fmt.Errorf("resource section: %v", err)
	}
	// The root directory: named entries first, then entries by ID.
	named, ids := int(binary.LittleEndian.Uint16(b[12:])), int(binary.LittleEndian.Uint16(b[14:]))
	for i := named; i < named+ids && 16+8*i+8 <= len(b); i++ {
		if binary.LittleEndian.Uint32(b[16+8*i:]) == 14 {
			return nil
		}
	}
	return errors.New("no icon resource")
}
