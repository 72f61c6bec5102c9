//go:build !windows

package servicectl

func databaseLocked(error) bool { return false }
