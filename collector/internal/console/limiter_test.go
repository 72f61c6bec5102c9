package console

import (
	"fmt"
	"teamlens/internal/testenv"
	"testing"
	"time"
)

func TestLimiterWindowAndBound(t *testing.T) {
	now := testenv.At(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	l := newLimiter(3, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if l.blocked("a") {
			t.Fatalf("blocked after %d failures", i)
		}
		l.fail("a")
	}
	if !l.blocked("a") || l.blocked("b") {
		t.Fatal("three failures block their address only")
	}
	now = now.Add(61 * time.Second)
	if l.blocked("a") {
		t.Error("failures outside the window still block")
	}
	for i := 0; i < maxTracked+5; i++ {
		l.fail(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		if i == maxTracked/2 {
			now = now.Add(2 * time.Minute) // the first half goes stale
		}
	}
	if len(l.fails) > maxTracked {
		t.Errorf("limiter tracks %d addresses, bound %d", len(l.fails), maxTracked)
	}
}
