// Command winres writes the viewer's Windows resources, its icon, as the
// object file rsrc_windows_amd64.syso that go build links into viewer.exe
// (run by go generate in viewer/, with mingw-w64's windres; the file is
// committed, so building the viewer needs neither).
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"teamlens/shared/brand"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "winres:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: winres OUT.syso")
	}
	out, err := filepath.Abs(args[0])
	if err != nil {
		return err
	}
	ico, err := brand.ICO()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "winres")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "icon.ico"), ico, 0o644); err != nil {
		return err
	}
	// The first icon group is the one Explorer and the taskbar show.
	if err := os.WriteFile(filepath.Join(dir, "viewer.rc"), []byte("1 ICON \"icon.ico\"\n"), 0o644); err != nil {
		return err
	}
	cmd := exec.Command("x86_64-w64-mingw32-windres", "--input-format=rc", "--output-format=coff", "-i", "viewer.rc", "-o", out)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("windres (Debian's binutils-mingw-w64-x86-64): %v\n%s", err, b)
	}
	return nil
}
