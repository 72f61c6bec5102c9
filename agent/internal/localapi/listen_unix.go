//go:build !windows

package localapi

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"teamlens/internal/fsutil"
)

// listen opens the Unix socket at path, mode 0666, replacing one that a
// killed agent left but never one that another agent answers on.
func listen(path string) (net.Listener, error) {
	if err := fsutil.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("another agent answers on %s; its socket is left alone", path)
	}
	_ = os.Remove(path) // a socket left by a killed agent
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o666); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}
