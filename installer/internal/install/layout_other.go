//go:build !windows

package install

import "os"

func programFiles() string { return "" }

// requireAdmin: the service, /etc and the data directory belong to root.
func requireAdmin() error {
	if os.Geteuid() != 0 {
		return ErrNotAdmin
	}
	return nil
}
