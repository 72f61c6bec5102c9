package trim

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestMemoryDropsExecutablePages touches this test binary's pages (the
// test runtime has run), trims, and reads the kernel's count of resident
// file pages before and after.
func TestMemoryDropsExecutablePages(t *testing.T) {
	before := rssFileKB(t)
	n, err := Memory()
	if err != nil {
		t.Fatal(err)
	}
	after := rssFileKB(t)
	t.Logf("advised %d MB of mappings; RssFile %d kB -> %d kB", n>>20, before, after)
	if n == 0 {
		t.Fatal("no mapping of the executable advised")
	}
	if after >= before {
		t.Fatalf("RssFile %d kB after trimming, %d kB before", after, before)
	}
}

func rssFileKB(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "RssFile:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}
