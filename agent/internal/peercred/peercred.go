// Package peercred tells which OS user is at the other end of a local Unix
// socket connection (on Windows, of a named pipe), from the kernel rather
// than from anything the peer says: the local API trusts nothing else to
// decide whose data a caller sees.
package peercred

import "errors"

// Cred is what the kernel says about a connected peer.
type Cred struct {
	// UID is the peer's user ID as a decimal string, the form os/user
	// looks up; on Windows it is the SID of the pipe client's token
	// (S-1-5-21-...).
	UID string
	// PID is the peer's process ID, or 0 where the platform does not say.
	PID int
}

// ErrUnsupported is returned where peer credentials cannot be read: there
// the local API refuses every caller rather than guess.
var ErrUnsupported = errors.New("peer credentials are not supported on this platform")
