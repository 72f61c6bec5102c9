package procscan

import (
	"context"
	"fmt"
	"os"
	"syscall"
)

// pidLister lists /proc's process directories through one open handle and
// one buffer kept between scans: the listing is most of an idle agent's
// work, and this way a scan allocates nothing for it.
type pidLister struct {
	dir  *os.File
	buf  []byte
	pids []int32
}

func (l *pidLister) list(ctx context.Context) ([]int32, error) {
	if l.dir == nil {
		d, err := os.Open("/proc")
		if err != nil {
			return nil, err
		}
		l.dir, l.buf = d, make([]byte, 32<<10)
	}
	if _, err := l.dir.Seek(0, 0); err != nil {
		return nil, fmt.Errorf("/proc: %w", err)
	}
	l.pids = l.pids[:0]
	fd := int(l.dir.Fd())
	for {
		n, err := syscall.ReadDirent(fd, l.buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("/proc: %w", err)
		}
		if n <= 0 {
			return l.pids, nil
		}
		l.pids = appendPids(l.pids, l.buf[:n])
	}
}

// appendPids appends the numeric names of the linux_dirent64 records in b.
func appendPids(pids []int32, b []byte) []int32 {
	for len(b) >= 19 {
		// d_ino (8), d_off (8), d_reclen (2), d_type (1), then the name.
		reclen := int(b[16]) | int(b[17])<<8
		if reclen < 19 || reclen > len(b) {
			break
		}
		name := b[19:reclen]
		var pid int64
		ok := len(name) > 0 && name[0] != 0
		for _, c := range name {
			if c == 0 {
				break
			}
			if c < '0' || c > '9' || pid > 1<<30 {
				ok = false
				break
			}
			pid = pid*10 + int64(c-'0')
		}
		if ok {
			pids = append(pids, int32(pid))
		}
		b = b[reclen:]
	}
	return pids
}
