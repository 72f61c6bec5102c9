//go:build windows

package install

import (
	"os"

	"golang.org/x/sys/windows"
)

func programFiles() string {
	if pf := os.Getenv("ProgramFiles"); pf != "" {
		return pf
	}
	return `C:\Program Files`
}

// requireAdmin: registering a service needs an elevated token.
func requireAdmin() error {
	if !windows.GetCurrentProcessToken().IsElevated() {
		return ErrNotAdmin
	}
	return nil
}
