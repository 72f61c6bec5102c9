package spool

import (
	"fmt"
	"testing"
)

// TestOwnersTakeTurns: behind a thousand files of one owner, another
// owner's file comes in the first round.
func TestOwnersTakeTurns(t *testing.T) {
	var q queue
	for i := 0; i < 1000; i++ {
		q.push(fmt.Sprintf("a%d", i), 1)
	}
	q.push("b", 2)
	q.push("a0", 1) // queued once
	if q.len() != 1001 {
		t.Fatalf("%d queued, want 1001", q.len())
	}
	var order []string
	for len(order) < 4 {
		for _, uid := range q.turns() {
			// A turn of two files per owner.
			for n := 0; n < 2; n++ {
				if p, ok := q.pop(uid); ok {
					order = append(order, p)
				}
			}
		}
	}
	if fmt.Sprint(order[:4]) != "[a0 a1 b a2]" {
		t.Fatalf("read order %v", order[:4])
	}
	q.later("x", 3)
	q.retry()
	if !q.queued["x"] {
		t.Fatal("a failed file is not queued again on retry")
	}
}
