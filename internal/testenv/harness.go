package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Build builds the Go package pkg ("." or an import path) into a fresh
// directory and returns the binary's path. Under -short it skips: a test
// that runs a real program is not a short one.
func Build(t testing.TB, pkg string, env ...string) string {
	t.Helper()
	Short(t, "builds "+pkg)
	name := filepath.Base(pkg)
	if pkg == "." {
		wd, _ := os.Getwd()
		name = filepath.Base(wd)
	}
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// Short skips t under -short, saying why: the one skip that is not about
// what the machine lacks.
func Short(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: " + why)
	}
}

// HelperCmd is the command that runs this test binary's test name as a
// helper process, with env added (one of them the variable HelperProcess
// looks at).
func HelperCmd(test string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// HelperProcess reports whether this test binary runs as the helper
// process of another test (the re-run-as-helper pattern: a test starts its
// own binary, often as another OS user, with env set). A helper test body
// starts with `if !testenv.HelperProcess(env) { t.Skip(...) }`; for every
// other run it returns false.
func HelperProcess(env string) bool { return os.Getenv(env) != "" }
