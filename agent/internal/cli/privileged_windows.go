//go:build windows

package cli

import "golang.org/x/sys/windows"

// privileged: an elevated administrator opens the service's database
// itself and may act for other users, as root does on Unix; everyone else
// goes through the named pipe as themselves.
func privileged() bool { return windows.GetCurrentProcessToken().IsElevated() }
