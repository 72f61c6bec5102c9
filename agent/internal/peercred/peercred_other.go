//go:build !linux && !darwin && !windows

package peercred

// The BSDs, for now, have no peer credential call wired here: refuse
// rather than trust the caller.
func get(uintptr) (Cred, error) { return Cred{}, ErrUnsupported }
