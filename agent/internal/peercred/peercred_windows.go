//go:build windows

package peercred

import (
	"fmt"
	"net"

	"golang.org/x/sys/windows"
)

// handleConn is a connection with an OS handle, as go-winio's named pipe
// connections are.
type handleConn interface {
	Fd() uintptr
}

// Get returns the credentials of the client of a named pipe connection
// (the server end, as the local API accepts it): the pipe file system
// names the client's process, and that process's token names its user.
// UID is the token user's SID.
func Get(conn net.Conn) (Cred, error) {
	hc, ok := conn.(handleConn)
	if !ok {
		return Cred{}, fmt.Errorf("peer credentials: %T is not a named pipe connection", conn)
	}
	var pid uint32
	if err := windows.GetNamedPipeClientProcessId(windows.Handle(hc.Fd()), &pid); err != nil {
		return Cred{}, fmt.Errorf("peer credentials: pipe client: %w", err)
	}
	sid, err := processSID(pid)
	if err != nil {
		return Cred{}, fmt.Errorf("peer credentials: process %d: %w", pid, err)
	}
	return Cred{UID: sid, PID: int(pid)}, nil
}

// processSID is the SID of the user of a process's primary token.
func processSID(pid uint32) (string, error) {
	p, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return "", err
	}
	defer windows.CloseHandle(p)
	var tok windows.Token
	if err := windows.OpenProcessToken(p, windows.TOKEN_QUERY, &tok); err != nil {
		return "", err
	}
	defer tok.Close()
	return TokenSID(tok)
}

// TokenSID is the SID of a token's user, as a string.
func TokenSID(tok windows.Token) (string, error) {
	u, err := tok.GetTokenUser()
	if err != nil {
		return "", err
	}
	return u.User.Sid.String(), nil
}
