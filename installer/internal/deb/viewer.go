package deb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"teamlens/installer/internal/desktop"
)

// ViewerPath is where the package puts the My Insights viewer.
const ViewerPath = binDir + "/viewer"

// viewerFiles are the viewer, its desktop entry and its icon, or none when
// no viewer was given and none sits next to the installer: the viewer
// needs a cgo build that a headless build machine may not make.
func viewerFiles(o Options) ([]file, error) {
	src := o.ViewerBinary
	if src == "" {
		src = filepath.Join(filepath.Dir(o.InstallerBinary), "viewer")
		if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
	}
	bin, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("viewer binary: %w", err)
	}
	entry, err := desktop.Entry(ViewerPath)
	if err != nil {
		return nil, err
	}
	return []file{
		{path: ViewerPath, mode: 0o755, data: bin},
		{path: shareDir + "/" + desktop.EntryFile, mode: 0o644, data: entry},
		{path: shareDir + "/" + desktop.IconFile, mode: 0o644, data: desktop.Icon},
	}, nil
}

// HasViewer reports whether a package built with o ships the viewer.
func HasViewer(o Options) bool {
	if o.ViewerBinary != "" {
		return true
	}
	installer := o.InstallerBinary
	if installer == "" {
		self, err := os.Executable()
		if err != nil {
			return false
		}
		installer = self
	}
	_, err := os.Stat(filepath.Join(filepath.Dir(installer), "viewer"))
	return err == nil
}
