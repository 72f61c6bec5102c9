package install

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"teamlens/installer/internal/desktop"
	"teamlens/installer/internal/servicectl"
)

func TestPlaceViewer(t *testing.T) {
	dir := t.TempDir()
	// The package's directory too is the test's own: the system's may hold
	// a real package's entry, or one a concurrent package test installed.
	l := Layout{LibDir: filepath.Join(dir, "lib"), ShareDir: filepath.Join(dir, "share"), PackageShareDir: filepath.Join(dir, "pkg-share")}
	src := filepath.Join(dir, "viewer-build")
	if err := os.WriteFile(src, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := installedViewer(l); got != "" {
		t.Fatalf("before install: viewer %q", got)
	}
	if err := os.MkdirAll(l.LibDir, 0o755); err != nil { // as prepareDirs makes it
		t.Fatal(err)
	}

	var u undo
	got, err := placeViewer(&u, l, Options{ViewerBinary: src})
	if err != nil || got != l.viewerPath() {
		t.Fatalf("placeViewer = %q, %v", got, err)
	}
	entry := filepath.Join(l.ShareDir, desktop.EntryFile)
	for path, mode := range map[string]os.FileMode{l.viewerPath(): 0o755, entry: 0o644, filepath.Join(l.ShareDir, desktop.IconFile): 0o644} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v %v, want mode %v", path, fi, err, mode)
		}
	}
	b, _ := os.ReadFile(entry)
	if desktop.Exec(b) != l.viewerPath() {
		t.Errorf("menu entry starts %q, want %q", desktop.Exec(b), l.viewerPath())
	}
	if out, err := exec.Command("desktop-file-validate", entry).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("desktop-file-validate: %v %s", err, out)
	}
	if got := installedViewer(l); got != l.viewerPath() {
		t.Errorf("status finds viewer %q, want %q", got, l.viewerPath())
	}

	// A failed install takes it all away again.
	u.run(nil)
	for _, p := range l.viewerFiles() {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("undo left %s", p)
		}
	}
	if got := installedViewer(l); got != "" {
		t.Errorf("after undo: viewer %q", got)
	}
}

func TestPlaceViewerSkips(t *testing.T) {
	dir := t.TempDir()
	// The package's directory too is the test's own: the system's may hold
	// a real package's entry, or one a concurrent package test installed.
	l := Layout{LibDir: filepath.Join(dir, "lib"), ShareDir: filepath.Join(dir, "share"), PackageShareDir: filepath.Join(dir, "pkg-share")}
	src := filepath.Join(dir, "viewer-build")
	os.WriteFile(src, []byte("#!/bin/sh\n"), 0o755)
	var u undo
	if got, err := placeViewer(&u, l, Options{ViewerBinary: src, NoViewer: true}); got != "" || err != nil {
		t.Errorf("--no-viewer placed %q, %v", got, err)
	}
	// The test binary has no viewer beside it: nothing, and no error.
	if got, err := placeViewer(&u, l, Options{}); got != "" || err != nil {
		t.Errorf("no viewer at hand: placed %q, %v", got, err)
	}
	if _, err := placeViewer(&u, l, Options{ViewerBinary: filepath.Join(dir, "nope")}); err == nil {
		t.Error("a missing --viewer-binary was accepted")
	}
	if _, err := os.Stat(l.LibDir); !os.IsNotExist(err) {
		t.Errorf("skipping the viewer created %s", l.LibDir)
	}
}

func TestStatusLineNamesViewer(t *testing.T) {
	r := Report{Installed: true, State: servicectl.Running, Platform: "linux-systemv", Socket: "/run/teamlens/agent.sock"}
	if s := r.String(); !strings.HasSuffix(s, "; My Insights viewer not installed") {
		t.Errorf("without a viewer: %q", s)
	}
	r.Viewer = "/opt/teamlens/bin/viewer"
	if s := r.String(); !strings.HasSuffix(s, "; My Insights viewer installed (/opt/teamlens/bin/viewer)") {
		t.Errorf("with a viewer: %q", s)
	}
}
