// Package winetest runs the Windows builds of Teamlens under Wine for the
// tests: a fresh Wine prefix in a temporary directory, the cross-built
// binaries, and the one piece Wine 8 lacks for Go programs (ProcessPrng of
// bcryptprimitives.dll, which Go's runtime calls for random bytes), built
// from source here with mingw-w64 and never shipped. A machine without
// wine64 or mingw-w64 skips the tests through testenv.Missing, which CI
// (TEAMLENS_REQUIRE_ALL=1) turns into failures; scripts/deps.sh test
// installs both.
package winetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"teamlens/internal/testenv"
)

// shimC is bcryptprimitives.dll's ProcessPrng, forwarded to RtlGenRandom
// (advapi32's SystemFunction036), which Wine has.
const shimC = `#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buf, ULONG len);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, n)) return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
`

const shimDef = "LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng\n"

// MinGW is the mingw-w64 C compiler for 64-bit Windows.
const MinGW = "x86_64-w64-mingw32-gcc"

// Prefix is one Wine prefix (a Windows installation in a directory) and
// the wineserver that runs it.
type Prefix struct {
	// Dir is the prefix; drive C: is Dir/drive_c.
	Dir  string
	wine string
	env  []string
}

// wineBinary is Debian's wine64 loader: /usr/lib/wine/wine64 (Debian
// ships no /usr/bin/wine for it), or one on PATH.
func wineBinary() string {
	for _, name := range []string{"wine64", "wine"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/lib/wine/wine64"); err == nil {
		return "/usr/lib/wine/wine64"
	}
	return ""
}

// need stops t when this machine cannot run the Wine tests, and returns
// the wine loader.
func need(t testing.TB) string {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the Wine tests run on linux/amd64")
	}
	wine := wineBinary()
	if wine == "" {
		testenv.Missing(t, "wine64 is not installed (scripts/deps.sh test installs Debian's wine64)")
	}
	if _, err := exec.LookPath(MinGW); err != nil {
		testenv.Missing(t, "%s is not installed (Debian's gcc-mingw-w64-x86-64)", MinGW)
	}
	return wine
}

// New makes a fresh prefix under t's temporary directory, with the
// ProcessPrng shim in its system32, and kills its wineserver when t ends.
func New(t testing.TB) *Prefix {
	t.Helper()
	wine := need(t)
	p, err := boot(wine, t.TempDir())
	if p != nil {
		t.Cleanup(p.killServer)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	sharedOnce sync.Once
	shared     *Prefix
	sharedErr  error
)

// Shared is one prefix for every test of the package that asks for it
// (booting one takes seconds); the package's TestMain calls Main, which
// removes it at the end.
func Shared(t testing.TB) *Prefix {
	t.Helper()
	wine := need(t)
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "winetest")
		if err != nil {
			sharedErr = err
			return
		}
		shared, sharedErr = boot(wine, dir)
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

// Main runs the tests of a package that uses Shared and then stops and
// removes the shared prefix.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.killServer()
		os.RemoveAll(filepath.Dir(shared.Dir))
	}
	os.Exit(code)
}

// boot makes a prefix in dir/prefix: wineboot, then the shim. A prefix
// returned with an error still has a wineserver to kill.
func boot(wine, dir string) (*Prefix, error) {
	p := &Prefix{Dir: filepath.Join(dir, "prefix"), wine: wine}
	for _, kv := range os.Environ() {
		// No X display: the binaries under test are console programs,
		// and a display would let Wine open windows and dialogs.
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WINE") {
			p.env = append(p.env, kv)
		}
	}
	p.env = append(p.env, "WINEPREFIX="+p.Dir, "WINEDEBUG=-all",
		// Our shim instead of Wine's builtin; no Mono or Gecko installs.
		"WINEDLLOVERRIDES=bcryptprimitives=n;mscoree=;mshtml=")
	// A persistent wineserver: by default it ends, with the services it
	// runs, once the last ordinary Wine process exits, and every command
	// would then boot the agent's service anew.
	if err := os.MkdirAll(p.Dir, 0o755); err != nil {
		return p, err
	}
	if err := p.persist(); err != nil {
		return p, err
	}
	if out, err := p.run(3*time.Minute, "wineboot", "-i"); err != nil {
		return p, fmt.Errorf("wineboot -i: %v\n%s", err, out)
	}
	// The first boot goes on updating the prefix (and its service
	// database) after wineboot returns: end it and start again, as a
	// machine that has booted before.
	p.killServer()
	if err := p.persist(); err != nil {
		return p, err
	}
	if out, err := p.run(time.Minute, "cmd", "/c", "exit"); err != nil {
		return p, fmt.Errorf("wine cmd: %v\n%s", err, out)
	}
	sys32 := filepath.Join(p.Dir, "drive_c", "windows", "system32")
	if _, err := os.Stat(sys32); err != nil {
		return p, fmt.Errorf("wineboot made no system32: %v", err)
	}
	return p, buildShim(filepath.Join(sys32, "bcryptprimitives.dll"))
}

// buildShim compiles the ProcessPrng shim DLL to out.
func buildShim(out string) error {
	src, err := os.MkdirTemp("", "winetest-shim")
	if err != nil {
		return err
	}
	defer os.RemoveAll(src)
	c, def := filepath.Join(src, "shim.c"), filepath.Join(src, "shim.def")
	if err := os.WriteFile(c, []byte(shimC), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(def, []byte(shimDef), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(MinGW, "-shared", "-o", out, c, def, "-ladvapi32")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the ProcessPrng shim: %v\n%s", err, b)
	}
	return nil
}

// persist starts the prefix's wineserver, to run until killServer.
func (p *Prefix) persist() error {
	// Without output pipes: the server detaches and would hold them open.
	server := exec.Command(p.server(), "-p")
	server.Env = p.env
	if err := server.Run(); err != nil {
		return fmt.Errorf("wineserver -p: %v", err)
	}
	return nil
}

func (p *Prefix) server() string {
	server := filepath.Join(filepath.Dir(p.wine), "wineserver")
	if _, err := os.Stat(server); err != nil {
		server = "wineserver"
	}
	return server
}

func (p *Prefix) killServer() {
	server := p.server()
	cmd := exec.Command(server, "-k")
	cmd.Env = p.env
	_ = cmd.Run()
	cmd = exec.Command(server, "-w")
	cmd.Env = p.env
	_ = cmd.Run()
}

// Command returns a command that runs a Windows program (a path in the
// prefix, C:\..., or a host path) with args under this prefix.
func (p *Prefix) Command(ctx context.Context, exe string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, p.wine, append([]string{exe}, args...)...)
	cmd.Env = p.env
	cmd.Dir = filepath.Dir(p.Dir)
	// Processes Wine starts on the way (services.exe, explorer.exe) live
	// on in the persistent server with our output pipes: stop waiting for
	// them soon after the program itself has exited.
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

func (p *Prefix) run(timeout time.Duration, exe string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out bytes.Buffer
	cmd := p.Command(ctx, exe, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := waited(cmd.Run())
	return out.String(), err
}

// Run runs a Windows program to its end (at most two minutes) and returns
// its stdout and, apart, its stderr.
func (p *Prefix) Run(exe string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var o, e bytes.Buffer
	cmd := p.Command(ctx, exe, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err = waited(cmd.Run())
	return o.String(), e.String(), err
}

// waited is a command's error but for WaitDelay's: a program that
// succeeded while a process it started keeps our pipes succeeded.
func waited(err error) error {
	if errors.Is(err, exec.ErrWaitDelay) {
		return nil
	}
	return err
}

// Host is the host path of a Windows path on drive C: of the prefix.
func (p *Prefix) Host(winPath string) string {
	rest, ok := strings.CutPrefix(winPath, `C:\`)
	if !ok {
		panic("winetest: not a path on C: " + winPath)
	}
	return filepath.Join(p.Dir, "drive_c", filepath.FromSlash(strings.ReplaceAll(rest, `\`, "/")))
}

// Build cross-builds the Go main package pkg (an import path such as
// teamlens/agent) for windows/amd64 without cgo into out.
func Build(t testing.TB, pkg, out string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cross-build %s: %v\n%s", pkg, err, b)
	}
}

// BuildTest cross-builds the tests of package pkg into the test binary out,
// to run Windows-only tests of that package under Wine.
func BuildTest(t testing.TB, pkg, out string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-c", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cross-build the tests of %s: %v\n%s", pkg, err, b)
	}
}

// Limited is the Windows path of the runlimited helper once
// InstallLimited has put it in the prefix.
const Limited = `C:\teamlens-test\runlimited.exe`

// InstallLimited cross-builds the runlimited helper into the prefix: Wine
// starts programs with an elevated administrator's token, and runlimited
// runs a command with the token's linked, unelevated one, as a user's
// ordinary programs run on Windows.
func (p *Prefix) InstallLimited(t testing.TB) {
	t.Helper()
	Build(t, "teamlens/internal/winetest/runlimited", p.Host(Limited))
}

// RunLimited runs a Windows program with an unelevated token.
func (p *Prefix) RunLimited(exe string, args ...string) (stdout, stderr string, err error) {
	return p.Run(Limited, append([]string{exe}, args...)...)
}

// Errorf formats a failed run with its output.
func Errorf(what string, err error, stdout, stderr string) error {
	return fmt.Errorf("%s: %v\nstdout: %s\nstderr: %s", what, err, stdout, stderr)
}
