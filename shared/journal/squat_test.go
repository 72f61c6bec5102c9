//go:build linux

package journal_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"teamlens/internal/testenv"
	"teamlens/shared/journal"
)

// TestWriterHelper is not a test: TestSquattedNameIsLeftAlone runs the
// test binary as another OS user with TLS_JOURNAL_SPOOL set, and this
// writes one event per line read from stdin, printing the file it went to.
func TestWriterHelper(t *testing.T) {
	if !testenv.HelperProcess("TLS_JOURNAL_SPOOL") {
		t.Skip("helper process only")
	}
	dir := os.Getenv("TLS_JOURNAL_SPOOL")
	w, err := journal.Create(dir, "AutoCAD", "2027.1")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if err := w.Command("LINE", "completed"); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(w.Path())
	}
	os.Exit(0)
}

// asUser runs a shell script as cred.
func asUser(t *testing.T, cred *syscall.Credential, script string, args ...string) {
	t.Helper()
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, "sh"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", script, err, out)
	}
}

// TestSquattedNameIsLeftAlone: after the agent removes an idle journal,
// another user plants a file, then a symbolic link, at the name the
// victim's product writes to. Neither receives a byte; the session goes on
// in new files of the victim's own.
func TestSquattedNameIsLeftAlone(t *testing.T) {
	testenv.NeedRoot(t, "create OS users")
	_, victim := testenv.OSUser(t, "tlsjvictim")
	_, attacker := testenv.OSUser(t, "tlsjattacker")
	root, err := os.MkdirTemp("", "squat")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	spool, bin := filepath.Join(root, "spool"), filepath.Join(root, "journal.test")
	if err := os.Mkdir(spool, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{os.Chmod(root, 0o755), os.Chmod(spool, 0o777|os.ModeSticky), copyFile(os.Args[0], bin)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A file of the victim's outside the spool, the link's target.
	precious := filepath.Join(root, "precious")
	if err := os.WriteFile(precious, []byte("keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(precious, int(victim.Uid), int(victim.Gid)); err != nil {
		t.Fatal(err)
	}

	helper := exec.Command(bin, "-test.run", "^TestWriterHelper$")
	helper.Env = append(os.Environ(), "TLS_JOURNAL_SPOOL="+spool)
	helper.SysProcAttr = &syscall.SysProcAttr{Credential: victim}
	stdin, _ := helper.StdinPipe()
	stdout, _ := helper.StdoutPipe()
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); helper.Wait() })
	out := bufio.NewScanner(stdout)
	write := func() string {
		t.Helper()
		io.WriteString(stdin, "\n")
		if !out.Scan() {
			t.Fatal("the writer stopped")
		}
		if p := out.Text(); filepath.Dir(p) == spool {
			return p
		}
		t.Fatalf("the writer said %q", out.Text())
		return ""
	}
	ownLines := func(path string, want int) {
		t.Helper()
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if fi.Sys().(*syscall.Stat_t).Uid != victim.Uid || !fi.Mode().IsRegular() || bytes.Count(b, []byte("\n")) != want {
			t.Fatalf("%s: mode %v uid %d, %d lines; want the victim's regular file with %d", path, fi.Mode(), fi.Sys().(*syscall.Stat_t).Uid, bytes.Count(b, []byte("\n")), want)
		}
	}

	first := write()
	ownLines(first, 1)
	// The agent removes the idle journal; the attacker plants a file open
	// to everyone at its name.
	if err := os.Remove(first); err != nil {
		t.Fatal(err)
	}
	asUser(t, attacker, `umask 0; : > "$1"`, first)
	second := write()
	if second == first {
		t.Fatal("the writer appended to the file the attacker planted")
	}
	if b, _ := os.ReadFile(first); len(b) != 0 {
		t.Fatalf("the attacker's file received %q", b)
	}
	ownLines(second, 1)

	// The same with a symbolic link to the victim's own file.
	if err := os.Remove(second); err != nil {
		t.Fatal(err)
	}
	asUser(t, attacker, `ln -s "$1" "$2"`, precious, second)
	third := write()
	if third == second || third == first {
		t.Fatal("the writer wrote through the attacker's link")
	}
	if b, _ := os.ReadFile(precious); string(b) != "keep\n" {
		t.Fatalf("the link's target now holds %q", b)
	}
	ownLines(third, 1)
	// With nothing planted, the session stays in its file.
	if fourth := write(); fourth != third {
		t.Fatalf("the writer left its own file %s for %s", third, fourth)
	}
	ownLines(third, 2)
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755)
}
