package limit

import (
	"fmt"
	"net/http"
	"teamlens/internal/testenv"
	"testing"
	"time"
)

func TestLimiterWindowAndBound(t *testing.T) {
	now := testenv.At(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	l := New(3, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if l.Blocked("a") {
			t.Fatalf("blocked after %d failures", i)
		}
		l.Fail("a")
	}
	if !l.Blocked("a") || l.Blocked("b") {
		t.Fatal("three failures block their address only")
	}
	now = now.Add(61 * time.Second)
	if l.Blocked("a") {
		t.Error("failures outside the window still block")
	}
	for i := 0; i < maxTracked+5; i++ {
		l.Fail(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		if i == maxTracked/2 {
			now = now.Add(2 * time.Minute) // the first half goes stale
		}
	}
	if len(l.fails) > maxTracked {
		t.Errorf("limiter tracks %d addresses, bound %d", len(l.fails), maxTracked)
	}
}

func TestClientKeysIPv6ByNetwork(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7:5000":                   "192.0.2.7",
		"[::ffff:192.0.2.7]:5000":          "192.0.2.7",
		"[2001:db8:1:2:aaaa::1]:443":       "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff:ffff::9]:1234": "2001:db8:1:2::/64",
		"[2001:db8:1:3::1]:1":              "2001:db8:1:3::/64",
	} {
		r := &http.Request{RemoteAddr: addr}
		if got := Client(r); got != want {
			t.Errorf("Client(%s) = %s, want %s", addr, got, want)
		}
	}
}
