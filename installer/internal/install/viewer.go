package install

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"teamlens/installer/internal/desktop"
)

// The viewer goes next to the agent; on Linux its menu entry and icon go
// under the layout's share directory. Windows and macOS get theirs from
// the MSI and the pkg (see the installer's documentation).

func (l Layout) viewerPath() string { return filepath.Join(l.LibDir, exe("viewer")) }

// viewerFiles are the paths an install of the viewer writes.
func (l Layout) viewerFiles() []string {
	paths := []string{l.viewerPath()}
	if l.ShareDir != "" {
		paths = append(paths, filepath.Join(l.ShareDir, desktop.EntryFile), filepath.Join(l.ShareDir, desktop.IconFile))
	}
	return paths
}

// placeViewer installs the viewer with its menu entry and icon and returns
// where it put it; "" when o asks for none or none is at hand.
func placeViewer(u *undo, l Layout, o Options) (string, error) {
	if o.NoViewer {
		return "", nil
	}
	src := o.ViewerBinary
	if src == "" {
		self, err := os.Executable()
		if err != nil {
			return "", nil
		}
		src = filepath.Join(filepath.Dir(self), exe("viewer"))
		if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
			return "", nil
		}
	}
	if fi, err := os.Stat(src); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("viewer binary %s: not a regular file (use --viewer-binary, or --no-viewer)", src)
	}
	if err := placeFile(u, src, l.viewerPath(), 0o755); err != nil {
		return "", err
	}
	if l.ShareDir == "" {
		return l.viewerPath(), nil
	}
	entry, err := desktop.Entry(l.viewerPath())
	if err != nil {
		return "", err
	}
	for path, data := range map[string][]byte{desktop.EntryFile: entry, desktop.IconFile: desktop.Icon} {
		path = filepath.Join(l.ShareDir, path)
		if err := mkdirAll(u, filepath.Dir(path), 0o755); err != nil {
			return "", err
		}
		if err := replaceFile(u, path, 0o644, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		}); err != nil {
			return "", err
		}
	}
	return l.viewerPath(), nil
}

// packageShareDir is where the Debian package puts the viewer's entry.
const packageShareDir = "/usr/share"

// installedViewer finds the viewer a menu entry starts, from an install
// or from the package; "" when no entry names an executable viewer.
func installedViewer(l Layout) string {
	pkg := l.PackageShareDir
	if pkg == "" {
		pkg = packageShareDir
	}
	dirs := []string{l.ShareDir, pkg}
	if l.ShareDir == "" {
		// Windows and macOS: the viewer sits beside the agent.
		if fi, err := os.Stat(l.viewerPath()); err == nil && fi.Mode().IsRegular() {
			return l.viewerPath()
		}
		return ""
	}
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, desktop.EntryFile))
		if err != nil {
			continue
		}
		if p := desktop.Exec(b); p != "" {
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
				return p
			}
		}
	}
	return ""
}
