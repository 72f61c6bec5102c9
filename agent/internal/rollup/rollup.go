// Package rollup folds a batch of gated events into the day records of the
// wire format. It is pure: the earlier state of the sessions and days a
// batch touches comes in through State, the changes go out as values, and
// nothing here knows about SQL or consent.
package rollup

import (
	"math"
	"time"

	"teamlens/shared/journal"
	"teamlens/shared/wire"
)

// MaxSessionSpan caps how far a session reaches from its first event seen:
// an event later than that (or earlier than its last event by more) does
// not stretch the session, so one line can touch at most eight days.
const MaxSessionSpan = 7 * 24 * time.Hour

// maxDayMinutes is the wire contract's bound on a day's minutes.
const maxDayMinutes = 1440

// SessionKey names one product session of the batch's user.
type SessionKey struct{ Product, Version, Session string }

// Span is a session's extent in Unix milliseconds.
type Span struct {
	Start, Last int64
	Ended       bool
}

// DayKey names one day record of the batch's user.
type DayKey struct{ Product, Version, Date string }

// Day is a day record: seat usage, the union of its sessions' time (to
// add later sessions to) and the opted-in analytics.
type Day struct {
	Minutes, Sessions int
	Busy              Intervals
	Analytics         *wire.Analytics
}

// Touch says a session was alive at a moment (an event of it, or the
// process scan seeing it run).
type Touch struct {
	Key   SessionKey
	At    int64 // Unix milliseconds
	Ended bool
}

// Sample is one reading of a product process's resource use.
type Sample struct {
	Product, Version string
	TS               time.Time
	CPUPct           float64
	RSSBytes         int64
}

// State is what the roll-up reads of earlier batches.
type State interface {
	Session(k SessionKey) (Span, bool, error)
	Day(k DayKey) (Day, bool, error)
}

// Input is a batch after the consent gate: only what may be kept.
type Input struct {
	Touches   []Touch         // session liveness; empty when seat usage is off
	Analytics []journal.Event // events whose analytics the user agreed to
	Samples   []Sample        // likewise, only with consent
}

// Changes are the sessions and days the batch changed, in their new state.
type Changes struct {
	Sessions map[SessionKey]Span
	Days     map[DayKey]*Day
}

// Calendar names local days; its zero value counts in time.Local.
type Calendar struct{ Loc *time.Location }

func (c Calendar) loc() *time.Location {
	if c.Loc == nil {
		return time.Local
	}
	return c.Loc
}

// Midnight is the start of t's local day.
func (c Calendar) Midnight(t time.Time) time.Time {
	t = t.In(c.loc())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.loc())
}

// Date is t's local calendar day in the wire format.
func (c Calendar) Date(t time.Time) string { return t.In(c.loc()).Format(wire.DateLayout) }

// Bounds are the Unix milliseconds a local date starts and ends at (23 or
// 25 hours apart on the days clocks change).
func (c Calendar) Bounds(date string) (lo, hi int64, err error) {
	d, err := time.ParseInLocation(wire.DateLayout, date, c.loc())
	if err != nil {
		return 0, 0, err
	}
	return d.UnixMilli(), d.AddDate(0, 0, 1).UnixMilli(), nil
}

// Apply folds in into the state: session spans grow, every day a grown
// span reaches gets its sessions and minutes counted again from the day's
// own record, and analytics are added to the day of their event.
func (c Calendar) Apply(st State, in Input) (Changes, error) {
	ch := Changes{Sessions: map[SessionKey]Span{}, Days: map[DayKey]*Day{}}
	before := map[SessionKey]*Span{}
	for _, t := range in.Touches {
		sp, ok := ch.Sessions[t.Key]
		if !ok {
			old, found, err := st.Session(t.Key)
			if err != nil {
				return ch, err
			}
			if found {
				before[t.Key] = &old
				sp = old
			} else {
				sp = Span{Start: t.At, Last: t.At}
			}
		}
		ch.Sessions[t.Key] = sp.extend(t.At, t.Ended)
	}
	for k, sp := range ch.Sessions {
		if err := c.count(st, ch.Days, k, before[k], sp); err != nil {
			return ch, err
		}
	}
	dates := c.dateNamer()
	for i := range in.Analytics {
		e := &in.Analytics[i]
		d, err := day(st, ch.Days, DayKey{e.Product, e.Version, dates(e.TS)})
		if err != nil {
			return ch, err
		}
		Fold(d.analytics(), e)
	}
	for _, s := range in.Samples {
		d, err := day(st, ch.Days, DayKey{s.Product, s.Version, c.Date(s.TS)})
		if err != nil {
			return ch, err
		}
		a := d.analytics()
		addStat(&a.CPUPct, int64(math.Round(s.CPUPct)))
		addStat(&a.RSSMB, s.RSSBytes>>20)
	}
	return ch, nil
}

// extend stretches the span to at, within MaxSessionSpan.
func (sp Span) extend(at int64, ended bool) Span {
	limit := MaxSessionSpan.Milliseconds()
	if at < sp.Start && sp.Last-at <= limit {
		sp.Start = at
	}
	if at > sp.Last && at-sp.Start <= limit {
		sp.Last = at
	}
	sp.Ended = sp.Ended || ended
	return sp
}

// overlaps reports whether the span counts on the day [lo, hi): a session
// ending at midnight counts on both days, as it always has.
func (sp Span) overlaps(lo, hi int64) bool { return sp.Start < hi && sp.Last >= lo }

// count adds a session's grown span to every local day it reaches: one
// more session where the old span did not reach, and its time to the
// day's busy intervals (the old span's time is there already).
func (c Calendar) count(st State, days map[DayKey]*Day, k SessionKey, old *Span, sp Span) error {
	for m := c.Midnight(time.UnixMilli(sp.Start)); !m.After(time.UnixMilli(sp.Last)); m = m.AddDate(0, 0, 1) {
		lo, hi := m.UnixMilli(), m.AddDate(0, 0, 1).UnixMilli()
		wasThere := old != nil && old.overlaps(lo, hi)
		if wasThere && old.Start <= lo && old.Last >= hi {
			continue // the whole day was counted already
		}
		d, err := day(st, days, DayKey{k.Product, k.Version, m.Format(wire.DateLayout)})
		if err != nil {
			return err
		}
		if !wasThere {
			d.Sessions++
		}
		d.Busy = d.Busy.Add(max(sp.Start, lo), min(sp.Last, hi))
		// A 25-hour day (clocks turned back) still reports at most the
		// wire contract's 1440 minutes.
		d.Minutes = min(int(math.Round(float64(d.Busy.Total())/60000)), maxDayMinutes)
	}
	return nil
}

func day(st State, days map[DayKey]*Day, k DayKey) (*Day, error) {
	if d, ok := days[k]; ok {
		return d, nil
	}
	d, _, err := st.Day(k)
	if err != nil {
		return nil, err
	}
	days[k] = &d
	return &d, nil
}

func (d *Day) analytics() *wire.Analytics {
	if d.Analytics == nil {
		d.Analytics = &wire.Analytics{}
	}
	return d.Analytics
}

// dateNamer returns the local date of a time, remembering the last day's
// bounds: a batch's events mostly fall on one day.
func (c Calendar) dateNamer() func(time.Time) string {
	var lo, hi int64
	var name string
	return func(t time.Time) string {
		if ms := t.UnixMilli(); name == "" || ms < lo || ms >= hi {
			m := c.Midnight(t)
			lo, hi, name = m.UnixMilli(), m.AddDate(0, 0, 1).UnixMilli(), m.Format(wire.DateLayout)
		}
		return name
	}
}
