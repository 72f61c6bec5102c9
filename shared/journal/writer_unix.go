//go:build unix

package journal

import (
	"errors"
	"os"
	"syscall"
)

// noFollow makes an open fail on a symbolic link instead of following it.
const noFollow = syscall.O_NOFOLLOW

// ownedAlone reports whether this process's user owns the file and no
// other name links to it.
func ownedAlone(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid() && st.Nlink == 1
}

// isLink reports whether an open failed because of O_NOFOLLOW.
func isLink(err error) bool { return errors.Is(err, syscall.ELOOP) }
