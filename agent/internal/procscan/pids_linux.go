package procscan

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"syscall"
)

// pidLister lists /proc's process directories through one open handle and
// one buffer kept between scans: the listing is most of an idle agent's
// work, and this way a scan allocates nothing for it.
//
// Most scans need no listing at all. The kernel hands out process and
// thread IDs in turn, and /proc/loadavg names the last one: when it moved
// by a few since the last scan, only those few can be new processes, and
// they are looked at one by one. Every fullEvery scans, or when many IDs
// were handed out, the whole table is listed again.
type pidLister struct {
	dir  *os.File
	buf  []byte
	pids []int32

	loadavg *os.File
	lastPid int // the kernel's last ID when pids was right; 0: list
	quick   int // scans answered without a listing since the last one
	pidMax  int
	probe   int // new IDs looked at one by one; more: list (0: maxProbe)
}

const (
	fullEvery = 12 // a minute at the default scan interval
	maxProbe  = 32
)

// list returns the running processes. tracked says which of the pids
// returned before matter: of those, the ones gone are left out.
func (l *pidLister) list(ctx context.Context, tracked func(int32) bool) ([]int32, error) {
	last := l.readLastPid()
	if l.lastPid != 0 && last != 0 && l.quick < fullEvery {
		if n := l.handedOut(last); n <= cmp.Or(l.probe, maxProbe) {
			l.pids = slices.DeleteFunc(l.pids, func(p int32) bool { return tracked(p) && !exists(p) })
			for i := 1; i <= n; i++ {
				p := int32((l.lastPid + i) % l.pidMax)
				if isProcess(l.buf, p) && !slices.Contains(l.pids, p) {
					l.pids = append(l.pids, p)
				}
			}
			l.lastPid = last
			l.quick++
			return l.pids, nil
		}
	}
	// The last ID is read before the listing: a process started while
	// it runs is looked at again by the next scan, never missed.
	if err := l.listAll(); err != nil {
		l.lastPid = 0
		return nil, err
	}
	l.lastPid, l.quick = last, 0
	return l.pids, nil
}

// handedOut returns how many IDs the kernel handed out since the last
// scan, counting a wrap past pid_max.
func (l *pidLister) handedOut(last int) int {
	if last >= l.lastPid {
		return last - l.lastPid
	}
	return last + l.pidMax - l.lastPid
}

func (l *pidLister) listAll() error {
	if l.dir == nil {
		d, err := os.Open("/proc")
		if err != nil {
			return err
		}
		l.dir, l.buf = d, make([]byte, 32<<10)
	}
	if _, err := l.dir.Seek(0, 0); err != nil {
		return fmt.Errorf("/proc: %w", err)
	}
	l.pids = l.pids[:0]
	fd := int(l.dir.Fd())
	for {
		n, err := syscall.ReadDirent(fd, l.buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("/proc: %w", err)
		}
		if n <= 0 {
			return nil
		}
		l.pids = appendPids(l.pids, l.buf[:n])
	}
}

// readLastPid returns the last ID the kernel handed out (the last field of
// /proc/loadavg); 0 when it cannot tell, and the next scan lists.
func (l *pidLister) readLastPid() int {
	if l.pidMax == 0 {
		b, err := os.ReadFile("/proc/sys/kernel/pid_max")
		if err != nil {
			return 0
		}
		if l.pidMax, err = strconv.Atoi(string(bytes.TrimSpace(b))); err != nil || l.pidMax <= 0 {
			l.pidMax = 0
			return 0
		}
	}
	if l.loadavg == nil {
		f, err := os.Open("/proc/loadavg")
		if err != nil {
			return 0
		}
		l.loadavg = f
	}
	var b [128]byte
	n, err := l.loadavg.ReadAt(b[:], 0)
	if n == 0 || (err != nil && n == len(b)) {
		return 0
	}
	fields := bytes.Fields(b[:n])
	if len(fields) != 5 {
		return 0
	}
	last, err := strconv.Atoi(string(fields[4]))
	if err != nil || last <= 0 || last >= l.pidMax {
		return 0
	}
	return last
}

// exists says whether process p still exists (a zombie too, as in the
// listing). Only asked while no ID was handed out twice.
func exists(p int32) bool {
	return syscall.Kill(int(p), 0) != syscall.ESRCH
}

// isProcess says whether ID p is a running process rather than a thread
// of one (or nothing): /proc/p/status says whose thread group it leads.
func isProcess(buf []byte, p int32) bool {
	b := readProc(buf, p, "status")
	_, rest, ok := bytes.Cut(b, []byte("\nTgid:"))
	if !ok {
		return false
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	tgid, err := strconv.Atoi(string(bytes.TrimSpace(line)))
	return err == nil && tgid == int(p)
}

// name returns the name of process p from /proc/p/comm, and false when it
// cannot tell: the kernel cuts names at 15 bytes, and gopsutil then reads
// the command line. Most processes are no product, and this one read
// tells so.
func (l *pidLister) name(p int32) (string, bool) {
	b := bytes.TrimSuffix(readProc(l.buf, p, "comm"), []byte("\n"))
	if len(b) == 0 || len(b) >= 15 {
		return "", false
	}
	return string(b), true
}

// readProc reads the start of /proc/p/file into buf; nil when it cannot.
func readProc(buf []byte, p int32, file string) []byte {
	if p <= 0 {
		return nil
	}
	fd, err := syscall.Open("/proc/"+strconv.Itoa(int(p))+"/"+file, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer syscall.Close(fd)
	if len(buf) < 512 {
		buf = make([]byte, 512)
	}
	n, err := syscall.Read(fd, buf[:512])
	if err != nil || n <= 0 {
		return nil
	}
	return buf[:n]
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
