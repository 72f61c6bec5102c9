package peercred

import "golang.org/x/sys/unix"

func get(fd uintptr) (Cred, error) {
	u, err := unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return Cred{}, err
	}
	return Cred{UID: uidString(u.Uid), PID: int(u.Pid)}, nil
}
