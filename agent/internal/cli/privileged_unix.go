//go:build !windows

package cli

import "os"

// privileged: root opens the service's database itself.
func privileged() bool { return os.Geteuid() == 0 }
