// Package peercred tells which OS user is at the other end of a local Unix
// socket connection, from the kernel rather than from anything the peer
// says: the local API trusts nothing else to decide whose data a caller sees.
package peercred

import (
	"errors"
	"fmt"
	"net"
	"strconv"
)

// Cred is what the kernel says about a connected peer.
type Cred struct {
	// UID is the peer's user ID as a decimal string, the form os/user
	// looks up. It is empty where the platform has no numeric user IDs.
	UID string
	// PID is the peer's process ID, or 0 where the platform does not say.
	PID int
}

// ErrUnsupported is returned where peer credentials cannot be read: there
// the local API refuses every caller rather than guess.
var ErrUnsupported = errors.New("peer credentials are not supported on this platform")

// Get returns the credentials of the peer of conn, which must be a Unix
// domain socket connection.
func Get(conn net.Conn) (Cred, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return Cred{}, fmt.Errorf("peer credentials: %T is not a unix socket connection", conn)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return Cred{}, fmt.Errorf("peer credentials: %w", err)
	}
	var cred Cred
	var credErr error
	if err := raw.Control(func(fd uintptr) { cred, credErr = get(fd) }); err != nil {
		return Cred{}, fmt.Errorf("peer credentials: %w", err)
	}
	if credErr != nil {
		return Cred{}, fmt.Errorf("peer credentials: %w", credErr)
	}
	return cred, nil
}

func uidString(uid uint32) string { return strconv.FormatUint(uint64(uid), 10) }
