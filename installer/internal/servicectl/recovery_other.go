//go:build !windows

package servicectl

// afterInstall has nothing to add on Unix: the unit and the init script
// restart the agent themselves.
func afterInstall(string) error { return nil }
