//go:build !linux && !darwin

package peercred

// Windows AF_UNIX sockets, and the BSDs for now, have no peer credential
// call wired here: refuse rather than trust the caller.
func get(uintptr) (Cred, error) { return Cred{}, ErrUnsupported }
