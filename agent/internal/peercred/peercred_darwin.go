package peercred

import "golang.org/x/sys/unix"

// LOCAL_PEERCRED gives the same answer as getpeereid(3), which is built on it.
func get(fd uintptr) (Cred, error) {
	x, err := unix.GetsockoptXucred(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return Cred{}, err
	}
	pid, err := unix.GetsockoptInt(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERPID)
	if err != nil {
		pid = 0 // older kernels: the user is what matters
	}
	return Cred{UID: uidString(x.Uid), PID: pid}, nil
}
