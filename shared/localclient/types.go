// Package localclient is the typed client of the agent's local API (the
// routes are documented in agent/internal/localapi) and the JSON shapes of
// that API, defined once here for both ends. It sits outside any internal/
// tree because the agent serves these types and the viewer reads them, and
// Go lets neither import the other's internal packages. It never imports
// Fyne.
package localclient

import (
	"encoding/json"

	"teamlens/shared/config"
	"teamlens/shared/wire"
)

// Me is GET /v1/me: who the agent thinks is asking, and what they may do.
type Me struct {
	User     string    `json:"user"`
	Consent  bool      `json:"consent"`
	Policy   Policy    `json:"policy"`
	Products []Product `json:"products"`
}

// Policy is the administrator's policy in force.
type Policy = config.Policy

// Product is a catalog product; Insights marks those whose analytics My
// Insights shows (the others show usage time only).
type Product struct {
	Name     string `json:"name"`
	Insights bool   `json:"insights"`
}

// ConsentRequest is the body of PUT /v1/consent.
type ConsentRequest struct {
	On bool `json:"on"`
	// Withdraw, with On false, also withdraws what was shared: days already
	// uploaded are sent again without analytics, so the collector drops them.
	Withdraw bool `json:"withdraw,omitempty"`
}

// ConsentResponse is the answer to PUT /v1/consent.
type ConsentResponse struct {
	Consent bool `json:"consent"`
}

// Export is GET /v1/export, the same document as `agent export --user`.
type Export struct {
	Events []json.RawMessage `json:"events"`
	Days   []wire.Day        `json:"days"`
}

// Events is GET /v1/events: the caller's newest raw events, newest first.
type Events struct {
	Total  int               `json:"total"`
	Events []json.RawMessage `json:"events"`
}

// Overview is GET /v1/insights/overview?days=N: usage time of the N days
// ending today.
type Overview struct {
	From       string         `json:"from"` // YYYY-MM-DD, first day of the window
	To         string         `json:"to"`   // YYYY-MM-DD, today
	Days       int            `json:"days"` // length of the window
	Minutes    int            `json:"minutes"`
	Sessions   int            `json:"sessions"`
	ActiveDays int            `json:"active_days"` // days with any product use
	Products   []ProductUsage `json:"products"`    // used products, most minutes first
}

// ProductUsage is one product's use over an overview window.
type ProductUsage struct {
	Name       string   `json:"name"`
	Insights   bool     `json:"insights"`
	Minutes    int      `json:"minutes"`
	Sessions   int      `json:"sessions"`
	ActiveDays int      `json:"active_days"`
	Versions   []string `json:"versions"`
	// Daily holds the minutes of each day of the window, Daily[0] being From.
	Daily []int `json:"daily"`
}

// Commands is GET /v1/insights/commands?product=P&days=N: completed
// commands of an insights product.
type Commands struct {
	Product    string          `json:"product"`
	From       string          `json:"from"`
	To         string          `json:"to"`
	Total      int64           `json:"total"`
	Categories []CategoryCount `json:"categories"` // most used first
	Top        []CommandCount  `json:"top"`        // at most 10, most used first
	Weekly     []WeekCount     `json:"weekly"`     // every week of the window, oldest first
	Sequences  []Sequence      `json:"sequences"`  // at most 5, most frequent first
}

// CategoryCount is the completed commands of one catalog category.
type CategoryCount struct {
	Category string  `json:"category"`
	Count    int64   `json:"count"`
	Share    float64 `json:"share"` // of Total, 0..1
}

// CommandCount is one command's completed runs.
type CommandCount struct {
	Name     string `json:"name"`
	Category string `json:"category"`
	Count    int64  `json:"count"`
}

// WeekCount is the completed commands of the week starting on Week (a
// Monday, YYYY-MM-DD).
type WeekCount struct {
	Week  string `json:"week"`
	Count int64  `json:"count"`
}

// Sequence is a pair of commands the user often completes one right after
// the other in a session, with a suggestion in words.
type Sequence struct {
	First      string `json:"first"`
	Second     string `json:"second"`
	Count      int    `json:"count"`
	Suggestion string `json:"suggestion"`
}

// Performance is GET /v1/insights/performance: the caller's mean times per
// insights product over the benchmark window, beside the collector-wide
// quartiles when the agent has them cached.
type Performance struct {
	From string `json:"from"`
	To   string `json:"to"`
	// BenchmarksFetchedAt is when the cached benchmarks were fetched (RFC
	// 3339), empty when there are none: the viewer then says so.
	BenchmarksFetchedAt string               `json:"benchmarks_fetched_at,omitempty"`
	Products            []ProductPerformance `json:"products"`
}

// ProductPerformance is one product's figures.
type ProductPerformance struct {
	Name      string           `json:"name"`
	Startup   *Measure         `json:"startup,omitempty"`
	Open      *Measure         `json:"open,omitempty"`
	Save      *Measure         `json:"save,omitempty"`
	Benchmark *wire.Benchmarks `json:"benchmark,omitempty"`
}

// Measure is the caller's own figure for one metric.
type Measure struct {
	Count  int64   `json:"count"`
	MeanMS float64 `json:"mean_ms"`
	MinMS  int64   `json:"min_ms"`
	MaxMS  int64   `json:"max_ms"`
}

// BenchmarkCache is the uploader's cache of GET /v1/benchmarks answers,
// kept in the agent's store under meta key "benchmarks" and served as is by
// GET /v1/benchmarks.
type BenchmarkCache struct {
	FetchedAt string                     `json:"fetched_at"`
	Products  map[string]wire.Benchmarks `json:"products"`
}

// Standing says where a mean time falls among the quartiles: 1 when at or
// under p25 (among the fastest quarter) up to 4 when above p75, as the
// collector counts users by quartile. 0 means no standing.
func Standing(meanMS float64, q *wire.Quartiles) int {
	switch {
	case q == nil || meanMS <= 0:
		return 0
	case meanMS <= q.P25:
		return 1
	case meanMS <= q.P50:
		return 2
	case meanMS <= q.P75:
		return 3
	}
	return 4
}
