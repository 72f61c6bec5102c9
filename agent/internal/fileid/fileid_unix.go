//go:build !windows

package fileid

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

func (r *Resolver) describe(f *os.File) (Info, error) {
	fi, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	if !fi.Mode().IsRegular() {
		return Info{}, errors.New("not a regular file")
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return Info{}, errors.New("no owner information")
	}
	uid := strconv.FormatUint(uint64(st.Uid), 10)
	name, err := r.cached(uid, lookupUID)
	if err != nil {
		return Info{}, err
	}
	return Info{Dev: uint64(st.Dev), Ino: uint64(st.Ino), Size: fi.Size(), ModTime: fi.ModTime(), User: name}, nil
}

// lookupUID names a uid; a uid with no account keeps its number, which is
// still a valid, stable login for the roll-up.
func lookupUID(uid string) (string, error) {
	u, err := user.LookupId(uid)
	var unknown user.UnknownUserIdError
	if errors.As(err, &unknown) {
		return uid, nil
	}
	if err != nil {
		return "", fmt.Errorf("owner %s: %w", uid, err)
	}
	return u.Username, nil
}
