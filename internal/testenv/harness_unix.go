//go:build unix

package testenv

import (
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
	"testing"
)

// OSUser returns the OS user name, creating it (without a home or a login
// shell) if it does not exist; it is removed when the test ends if this
// call created it. It needs root.
func OSUser(t testing.TB, name string) (*user.User, *syscall.Credential) {
	t.Helper()
	NeedRoot(t, "create the OS user "+name)
	if _, err := user.Lookup(name); err != nil {
		if out, err := exec.Command("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
			t.Fatalf("useradd %s: %v %s", name, err, out)
		}
		t.Cleanup(func() { exec.Command("userdel", name).Run() })
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return u, &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}
