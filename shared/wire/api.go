package wire

import (
	"encoding/json"
	"strconv"
	"time"
)

// The answers and requests of the collector's device API, which the
// collector writes and the agent reads.

// EnrollRequest is the body of POST /v1/enroll.
type EnrollRequest struct {
	EnrollSecret string `json:"enroll_secret"`
	Hostname     string `json:"hostname"`
}

// EnrollResponse is the answer of a successful enrollment.
type EnrollResponse struct {
	DeviceID    string `json:"device_id"`
	DeviceToken string `json:"device_token"`
}

// Accepted is the answer of an upload the collector stored: how many days.
type Accepted struct {
	Accepted *int `json:"accepted"`
}

// Error is every error answer of the API. Day, on a 400 of POST /v1/usage,
// is the index of the first day refused: the agent sets that day aside and
// sends the rest.
type Error struct {
	Error string `json:"error"`
	Day   *int   `json:"day,omitempty"`
}

// ReadError decodes an error answer; ok is false for a body of another
// shape (an HTML page of a proxy).
func ReadError(body []byte) (e Error, ok bool) {
	return e, json.Unmarshal(body, &e) == nil && e.Error != ""
}

// The days a collector accepts, around its today: two years back, two
// days ahead (a workstation in a time zone ahead of the collector's).
const (
	AcceptYearsBack = 2
	AcceptDaysAhead = 2
)

// AcceptedDates returns the first and last day a collector whose calendar
// day is today (midnight) accepts.
func AcceptedDates(today time.Time) (first, last time.Time) {
	return today.AddDate(-AcceptYearsBack, 0, 0), today.AddDate(0, 0, AcceptDaysAhead)
}

// DayError is Batch.Validate's error about one day, by its index.
type DayError struct {
	Index int
	Err   error
}

func (e *DayError) Error() string { return "days[" + strconv.Itoa(e.Index) + "]: " + e.Err.Error() }

func (e *DayError) Unwrap() error { return e.Err }

// The insight kinds of GET /v1/teams/{team}/insights and of insights.csv's
// kind column.
const (
	KindUnderAssignment    = "under_assignment"
	KindOverAssignment     = "over_assignment"
	KindInactiveUser       = "inactive_user"
	KindProductVersion     = "product_version"
	KindProductPerformance = "product_performance"
	KindCommandUsage       = "command_usage"
)

// InsightKinds are the kinds in the order a team's insights list them.
var InsightKinds = []string{KindUnderAssignment, KindOverAssignment, KindInactiveUser, KindProductVersion, KindProductPerformance, KindCommandUsage}
