// Package wire is the upload format between agent and collector (schema 1):
// one day of one user's use of one product version, with analytics only for
// users who opted in.
package wire

import (
	"errors"
	"fmt"
	"math"
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

// Add counts one outcome; unknown outcomes are ignored.
func (o *Outcomes) Add(outcome string) {
	switch outcome {
	case "started":
		o.Started++
	case "completed":
		o.Completed++
	case "canceled":
		o.Canceled++
	case "undone":
		o.Undone++
	}
}

// Validate checks a batch as the collector must before storing any of it.
// knownProduct says whether a product name is in the collector's catalog;
// now bounds the dates (no more than two days ahead of now, no more than two
// years behind). The error names the day by index.
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
			return fmt.Errorf("days[%d]: %w", i, err)
		}
		if seen[d.Key()] {
			return fmt.Errorf("days[%d]: duplicate day for %s %s %s %s", i, d.User, d.Product, d.Version, d.Date)
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
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if date.After(today.AddDate(0, 0, 2)) || date.Before(today.AddDate(-2, 0, 0)) {
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
	if d.Minutes < 0 || d.Minutes > 1440 {
		return fmt.Errorf("minutes %d out of range 0..1440", d.Minutes)
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

func (a *Analytics) validate() error {
	for name, s := range map[string]*Stat{"startup_ms": a.StartupMS, "open_ms": a.OpenMS, "save_ms": a.SaveMS,
		"doc_bytes": a.DocBytes, "cpu_pct": a.CPUPct, "rss_mb": a.RSSMB} {
		if s == nil {
			continue
		}
		if s.Count < 0 || s.Sum < 0 || s.Min < 0 || s.Max < 0 || s.Min > s.Max {
			return fmt.Errorf("%s has a negative or inverted value", name)
		}
	}
	for name, o := range a.Commands {
		if o == nil || journal.NormalizeCommand(name) != name || !journal.ValidIdentifier(name) {
			return errors.New("commands has an invalid command name")
		}
		if o.Started < 0 || o.Completed < 0 || o.Canceled < 0 || o.Undone < 0 {
			return fmt.Errorf("commands.%s has a negative count", name)
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
