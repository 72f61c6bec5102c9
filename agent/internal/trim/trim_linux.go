package trim

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Memory gives back to the system the pages of the agent's own executable
// that starting up touched and idling does not use (migrations, the
// catalog, SQLite's set-up): they are clean copies of the file, so the
// kernel drops them at once and reads back only the ones a later scan or
// request touches. It returns the bytes of mappings advised.
func Memory() (int64, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var total int64
	var refused error // a kernel before 5.4 has no MADV_PAGEOUT
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// start-end perms offset dev inode path
		fields := bytes.Fields(sc.Bytes())
		if len(fields) < 6 || string(fields[5]) != exe || fields[1][1] == 'w' {
			continue
		}
		lo, hi, ok := bytes.Cut(fields[0], []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		if err := madvise(uintptr(start), uintptr(end-start)); err != nil {
			refused = err
			continue
		}
		total += int64(end - start)
	}
	if total == 0 && refused != nil {
		return 0, fmt.Errorf("madvise: %w", refused)
	}
	return total, sc.Err()
}

func madvise(addr, n uintptr) error {
	_, _, errno := unix.Syscall(unix.SYS_MADVISE, addr, n, unix.MADV_PAGEOUT)
	if errno != 0 {
		return errno
	}
	return nil
}
