// Package limit slows down guessing: it counts failed attempts (sign-ins,
// admin tokens, enroll secrets) per client and blocks a client that fails
// too often in a window.
package limit

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Client is the key a request's failures are counted under: its IPv4
// address, or the /64 network of an IPv6 one (one host commonly holds a
// whole /64, so counting single addresses would count nothing).
func Client(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// Limiter counts failures per client in a sliding window.
type Limiter struct {
	max    int
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	fails  map[string][]time.Time
}

// New returns a limiter that blocks a client after max failures within
// window.
func New(max int, window time.Duration, now func() time.Time) *Limiter {
	return &Limiter{max: max, window: window, now: now, fails: map[string][]time.Time{}}
}

// Blocked reports whether addr has used up its failures, and forgets
// failures that left the window.
func (l *Limiter) Blocked(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := l.now().Add(-l.window)
	kept := l.fails[addr][:0]
	for _, t := range l.fails[addr] {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(l.fails, addr)
		return false
	}
	l.fails[addr] = kept
	return len(kept) >= l.max
}

// maxTracked bounds the addresses the limiter remembers, so failures from
// many addresses cannot grow it without end.
const maxTracked = 10000

// Fail counts a failure of addr.
func (l *Limiter) Fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) >= maxTracked {
		for a, ts := range l.fails {
			if len(ts) == 0 || !ts[len(ts)-1].After(now.Add(-l.window)) {
				delete(l.fails, a)
			}
		}
	}
	l.fails[addr] = append(l.fails[addr], now)
}
