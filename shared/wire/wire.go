// Package wire is the upload format between agent and collector (schema 1):
// one day of one user's use of one product version, with analytics only for
// users who opted in.
package wire

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"time"

	"teamlens/shared/journal"
)

// Schema is the wire format version this package reads and writes.
const Schema = 1

// DateLayout is the layout of Day.Date.
const DateLayout = "2006-01-02"

// Batch is the body of POST /v1/usage.
type Batch struct {
	Schema  int    `json:"schema"`
	BatchID string `json:"batch_id"`
	Days    []Day  `json:"days"`
}

// Day is the roll-up of one (date, user, product, version).
type Day struct {
	Date      string     `json:"date"`
	User      string     `json:"user"`
	Product   string     `json:"product"`
	Version   string     `json:"version"`
	Minutes   int        `json:"minutes"`
	Sessions  int        `json:"sessions"`
	Analytics *Analytics `json:"analytics,omitempty"`
}

// Key identifies a day record for one user.
type Key struct {
	User, Product, Version, Date string
}

// Key returns the day's key.
func (d *Day) Key() Key { return Key{d.User, d.Product, d.Version, d.Date} }

// Analytics are the opted-in aggregates of a day.
type Analytics struct {
	StartupMS *Stat                `json:"startup_ms,omitempty"`
	OpenMS    *Stat                `json:"open_ms,omitempty"`
	SaveMS    *Stat                `json:"save_ms,omitempty"`
	DocBytes  *Stat                `json:"doc_bytes,omitempty"`
	CPUPct    *Stat                `json:"cpu_pct,omitempty"` // product process CPU, percent of one core
	RSSMB     *Stat                `json:"rss_mb,omitempty"`  // product process resident memory
	Commands  map[string]*Outcomes `json:"commands,omitempty"`
	Objects   map[string]int64     `json:"objects,omitempty"`
	Views     map[string]int64     `json:"views,omitempty"`
	Settings  map[string]float64   `json:"settings,omitempty"`
}

// Stat aggregates a measure over a day.
type Stat struct {
	Count int64 `json:"count"`
	Sum   int64 `json:"sum"`
	Min   int64 `json:"min"`
	Max   int64 `json:"max"`
}

// Add records one value.
func (s *Stat) Add(v int64) {
	if s.Count == 0 || v < s.Min {
		s.Min = v
	}
	if s.Count == 0 || v > s.Max {
		s.Max = v
	}
	s.Count++
	s.Sum += v
}

// Mean returns the average, or 0 for an empty stat.
func (s *Stat) Mean() float64 {
	if s == nil || s.Count == 0 {
		return 0
	}
	return float64(s.Sum) / float64(s.Count)
}

// Outcomes counts a command by outcome.
type Outcomes struct {
	Started   int64 `json:"started"`
	Completed int64 `json:"completed"`
	Canceled  int64 `json:"canceled"`
	Undone    int64 `json:"undone"`
}

// Add counts one outcome; unknown outcomes are ignored. A count stops at
// the contract's daily bound, so a runaway plug-in cannot make its day one
// the collector refuses.
func (o *Outcomes) Add(outcome string) {
	var n *int64
	switch outcome {
	case "started":
		n = &o.Started
	case "completed":
		n = &o.Completed
	case "canceled":
		n = &o.Canceled
	case "undone":
		n = &o.Undone
	default:
		return
	}
	if *n < MaxCommandOutcomes {
		*n++
	}
}

// Validate checks a batch as the collector must before storing any of it.
// knownProduct says whether a product name is in the collector's catalog;
// now bounds the dates (no more than two days ahead of now, no more than two
// years behind). An error about one day is a *DayError naming it by index.
func (b *Batch) Validate(knownProduct func(string) bool, now time.Time) error {
	if b.Schema != Schema {
		return fmt.Errorf("unsupported schema %d (want %d)", b.Schema, Schema)
	}
	if b.Days == nil {
		return errors.New("days is missing")
	}
	seen := make(map[Key]bool, len(b.Days))
	for i := range b.Days {
		d := &b.Days[i]
		if err := d.Validate(knownProduct, now); err != nil {
			return &DayError{Index: i, Err: err}
		}
		if seen[d.Key()] {
			return &DayError{Index: i, Err: fmt.Errorf("duplicate day for %s %s %s %s", d.User, d.Product, d.Version, d.Date)}
		}
		seen[d.Key()] = true
	}
	return nil
}

// Validate checks one day with the agent's sanitizer rules.
func (d *Day) Validate(knownProduct func(string) bool, now time.Time) error {
	date, err := time.Parse(DateLayout, d.Date)
	if err != nil {
		return fmt.Errorf("date %q is not YYYY-MM-DD", d.Date)
	}
	first, last := AcceptedDates(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC))
	if date.After(last) || date.Before(first) {
		return fmt.Errorf("date %s is out of range", d.Date)
	}
	if !journal.ValidUser(d.User) {
		return errors.New("user is not a valid login")
	}
	if !knownProduct(d.Product) {
		return fmt.Errorf("product %q is not in the catalog", d.Product)
	}
	if !journal.ValidVersion(d.Version) {
		return errors.New("version is not valid")
	}
	if d.Minutes < 0 || d.Minutes > MaxMinutes {
		return fmt.Errorf("minutes %d out of range 0..%d", d.Minutes, MaxMinutes)
	}
	if d.Sessions < 0 {
		return fmt.Errorf("sessions %d is negative", d.Sessions)
	}
	if d.Analytics != nil {
		if err := d.Analytics.validate(); err != nil {
			return fmt.Errorf("analytics: %w", err)
		}
	}
	return nil
}

// Bounds of a day's values (contract): no stored value, and no sum of them
// over any window, can overflow an aggregate.
const (
	MaxTimeMS          = journal.MaxTimeMS
	MaxDocBytes        = journal.MaxDocBytes
	MaxCommandOutcomes = 1_000_000 // per command and outcome, per day
	MaxObjectCount     = journal.MaxObjectCount
	MaxMinutes         = 1440
	// CPU percent of one core and resident MB of a product process are not
	// bounded by the contract; these limits only keep them meaningful.
	maxCPUPct = 100 * 1024
	maxRSSMB  = 1 << 24
)

// stats lists the day's stats with their names and upper bounds.
func (a *Analytics) stats() []struct {
	name  string
	s     *Stat
	limit int64
} {
	return []struct {
		name  string
		s     *Stat
		limit int64
	}{
		{"startup_ms", a.StartupMS, MaxTimeMS}, {"open_ms", a.OpenMS, MaxTimeMS}, {"save_ms", a.SaveMS, MaxTimeMS},
		{"doc_bytes", a.DocBytes, MaxDocBytes}, {"cpu_pct", a.CPUPct, maxCPUPct}, {"rss_mb", a.RSSMB, maxRSSMB},
	}
}

// Check reports why a stat is inconsistent or out of [0, limit]: a stat
// with no samples must be absent, and the sum must lie between count*min
// and count*max, computed in 128 bits so no product can wrap.
func (s *Stat) Check(limit int64) error {
	switch {
	case s.Count < 1:
		return fmt.Errorf("count %d is below 1", s.Count)
	case s.Min < 0 || s.Max < 0 || s.Sum < 0:
		return errors.New("has a negative value")
	case s.Min > s.Max:
		return fmt.Errorf("min %d is over max %d", s.Min, s.Max)
	case s.Max > limit:
		return fmt.Errorf("max %d is over the limit of %d", s.Max, limit)
	case cmpProduct(s.Count, s.Min, s.Sum) > 0 || cmpProduct(s.Count, s.Max, s.Sum) < 0:
		return fmt.Errorf("sum %d is not between count*min and count*max", s.Sum)
	}
	return nil
}

// cmpProduct compares a*b with c for non-negative a, b, c: -1, 0 or +1.
func cmpProduct(a, b, c int64) int {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	switch {
	case hi > 0 || lo > uint64(c):
		return 1
	case lo < uint64(c):
		return -1
	}
	return 0
}

func (a *Analytics) validate() error {
	for _, st := range a.stats() {
		if st.s == nil {
			continue
		}
		if err := st.s.Check(st.limit); err != nil {
			return fmt.Errorf("%s %w", st.name, err)
		}
	}
	for name, o := range a.Commands {
		if o == nil || journal.NormalizeCommand(name) != name || !journal.ValidIdentifier(name) {
			return errors.New("commands has an invalid command name")
		}
		for _, n := range []int64{o.Started, o.Completed, o.Canceled, o.Undone} {
			if n < 0 {
				return fmt.Errorf("commands.%s has a negative count", name)
			}
			if n > MaxCommandOutcomes {
				return fmt.Errorf("commands.%s has a count over the limit of %d a day", name, MaxCommandOutcomes)
			}
		}
	}
	for field, m := range map[string]map[string]int64{"objects": a.Objects, "views": a.Views} {
		for k, n := range m {
			if !journal.ValidIdentifier(k) {
				return fmt.Errorf("%s has an invalid name", field)
			}
			if n < 0 {
				return fmt.Errorf("%s.%s is negative", field, k)
			}
			if field == "objects" && n > MaxObjectCount {
				return fmt.Errorf("objects.%s is over the limit of %d", k, MaxObjectCount)
			}
		}
	}
	for k, v := range a.Settings {
		if !journal.ValidIdentifier(k) {
			return errors.New("settings has an invalid name")
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("settings.%s is not a number", k)
		}
	}
	return nil
}
