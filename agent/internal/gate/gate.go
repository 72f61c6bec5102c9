// Package gate is the consent gate, the one place the admin policy and a
// user's consent decide what of a batch may be kept: seat usage while the
// policy records it, analytics only while the user's consent is on.
// Whatever the gate drops is never stored, rolled up or uploaded.
package gate

import (
	"teamlens/agent/internal/rollup"
	"teamlens/shared/journal"
)

// Rules are the policy and consent in force for one user.
type Rules struct {
	// SeatUsage is the admin policy's seat_usage.
	SeatUsage bool
	// Analytics is true only when the policy allows analytics and the
	// user's consent is on.
	Analytics bool
}

// Alive says a process session was still running at a moment (from the
// process scan, which has no event for it).
type Alive = rollup.Touch

// Kept is what passes the gate.
type Kept struct {
	// Events are stored as the user's raw events: seat usage (without
	// its analytics unless allowed) and analytics events when allowed.
	Events []journal.Event
	// Rollup is what the day records may learn from the batch.
	Rollup rollup.Input
	// Discarded counts analytics events dropped unread.
	Discarded int
}

// Apply sorts a batch's events, liveness and samples by the rules. It
// filters events in place (a seat-usage event also loses its startup time
// without consent): the caller's slice holds the kept events after it.
func (r Rules) Apply(events []journal.Event, alive []Alive, samples []rollup.Sample) Kept {
	var k Kept
	k.Events = events[:0]
	if r.SeatUsage {
		k.Rollup.Touches = make([]rollup.Touch, 0, len(events)+len(alive))
	}
	for i := range events {
		e := events[i] // a copy: k.Events may overwrite events[i] below
		if r.SeatUsage {
			// Any event shows the session alive at its time, even one
			// whose content is dropped for want of consent.
			k.Rollup.Touches = append(k.Rollup.Touches, rollup.Touch{
				Key: rollup.SessionKey{Product: e.Product, Version: e.Version, Session: e.Session},
				At:  e.TS.UnixMilli(), Ended: e.Type == journal.SessionEnd})
		}
		switch {
		case e.IsSeatUsage() && !r.SeatUsage:
			continue
		case e.IsSeatUsage() && !r.Analytics:
			e.StripAnalytics()
		case !e.IsSeatUsage() && !r.Analytics:
			k.Discarded++
			continue
		}
		k.Events = append(k.Events, e)
	}
	if r.Analytics {
		k.Rollup.Analytics = k.Events
		k.Rollup.Samples = samples
	}
	if r.SeatUsage {
		k.Rollup.Touches = append(k.Rollup.Touches, alive...)
	}
	return k
}
