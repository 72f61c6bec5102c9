//go:build unix

package spool

import (
	"os"
	"syscall"
)

// fileIDs fills the device, inode and owner of an entry.
func fileIDs(fi os.FileInfo, e *entry) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		e.dev, e.ino, e.uid = uint64(st.Dev), uint64(st.Ino), st.Uid
	}
}
