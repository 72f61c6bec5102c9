package testenv

import (
	"os"
	"regexp"
	"time"
)

// EpochEnv moves the fixed clock of the suite's date-bound tests: with
// TEAMLENS_TEST_EPOCH=2028-02-29 every date and time a test writes through
// At, Date or Dates moves by the same whole number of weeks, so that its
// epoch lands in that date's week (weekdays, hours and the days between
// dates stay as written). A test that lets a value of the real clock meet
// its fixed one fails then, on the day it is written, instead of on the day
// the two clocks drift apart. scripts/test.sh runs the date-bound packages
// with two such epochs.
const EpochEnv = "TEAMLENS_TEST_EPOCH"

// base is the instant the fixed-clock tests are written at.
var base = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// shiftDays is how many days TEAMLENS_TEST_EPOCH moves the tests' dates:
// a whole number of weeks, 0 when it is unset.
func shiftDays() int {
	v := os.Getenv(EpochEnv)
	if v == "" {
		return 0
	}
	to, err := time.Parse(time.DateOnly, v)
	if err != nil {
		panic("testenv: " + EpochEnv + " is not a YYYY-MM-DD date: " + v)
	}
	days := to.Sub(time.Date(base.Year(), base.Month(), base.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24
	weeks := int(days / 7)
	if rem := days - float64(weeks*7); rem > 3.5 {
		weeks++
	} else if rem < -3.5 {
		weeks--
	}
	return weeks * 7
}

// Epoch is the fixed "now" of the date-bound tests: 2026-11-27 10:00 UTC,
// a Friday, moved by TEAMLENS_TEST_EPOCH.
func Epoch() time.Time { return At(base) }

// At moves a fixture's time written against the epoch the way Epoch moved.
// The wall clock of its own location is kept.
func At(t time.Time) time.Time { return t.AddDate(0, 0, shiftDays()) }

// Date moves a fixture's YYYY-MM-DD date the way Epoch moved.
func Date(s string) string { return Dates(s) }

// fixtureDate is a calendar date of the fixtures' era; years outside it
// ("0001-01-01", "9999-12-31") and impossible dates stay as written.
var fixtureDate = regexp.MustCompile(`\b20[0-9]{2}-[01][0-9]-[0-3][0-9]`)

// Dates moves every YYYY-MM-DD date in s (in CSV rows, JSON bodies or
// RFC 3339 timestamps) the way Epoch moved.
func Dates(s string) string {
	n := shiftDays()
	if n == 0 {
		return s
	}
	return fixtureDate.ReplaceAllStringFunc(s, func(d string) string {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return d
		}
		return t.AddDate(0, 0, n).Format(time.DateOnly)
	})
}

// Today is the real calendar day in UTC, for tests that run real processes
// on the real clock: their dates come from it, never from a fixed year.
func Today() time.Time {
	y, m, d := time.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
