package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"teamlens/internal/testenv"
	"testing"

	"teamlens/collector/internal/insights"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

// An upload whose stats would overflow an aggregate is refused with its day
// index, and nothing of its batch is stored.
func TestUsageRefusesOverflowingStats(t *testing.T) {
	with := func(f func(*wire.Analytics)) []byte {
		d := day("mallory", testenv.Date("2026-11-21"), 30)
		f(d.Analytics)
		return batch(day("jdoe", testenv.Date("2026-11-20"), 30), d)
	}
	tests := map[string][]byte{
		"sum of int64 max": with(func(a *wire.Analytics) {
			a.StartupMS = &wire.Stat{Count: 1, Sum: math.MaxInt64, Min: 3000, Max: 3000}
		}),
		"count zero with a sum": with(func(a *wire.Analytics) { a.SaveMS = &wire.Stat{Count: 0, Sum: 1e18} }),
		"time over a day": with(func(a *wire.Analytics) {
			a.OpenMS = &wire.Stat{Count: 1, Sum: 1e12, Min: 1e12, Max: 1e12}
		}),
		"command count of int64 max": with(func(a *wire.Analytics) { a.Commands["LINE"].Completed = math.MaxInt64 }),
		"object count over 10^9":     with(func(a *wire.Analytics) { a.Objects = map[string]int64{"LINE": 2e9} }),
	}
	forEngines(t, func(t *testing.T, e *env) {
		_, tok := e.enroll()
		for name, body := range tests {
			t.Run(name, func(t *testing.T) {
				status, resp := e.do("POST", "/v1/usage", tok, body, nil)
				var r struct {
					Error string `json:"error"`
					Day   *int   `json:"day"`
				}
				json.Unmarshal(resp, &r)
				if status != 400 || r.Day == nil || *r.Day != 1 {
					t.Fatalf("status %d %s, want 400 naming day 1", status, resp)
				}
				if d, _, c := e.stored(); d != 0 || c != 0 {
					t.Errorf("stored %d days and %d commands of a refused batch", d, c)
				}
			})
		}
	})
}

// Rows stored before the contract bounded stats (planted here straight
// into the database) cannot make a read fail, nor skew the benchmarks.
func TestExtremeStoredRowsCannotBreakReads(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedTeams(t, e)
		e.directory("u0", "u1", "u2", "u3", "u4", "u9", "jdoe2")
		device, tok := e.enroll()
		var days []wire.Day
		for i, ms := range []int64{1000, 2000, 3000, 4000, 5000} {
			d := day(fmt.Sprintf("u%d", i), testenv.Date("2026-11-20"), 10)
			d.Analytics.OpenMS = &wire.Stat{Count: 2, Sum: 2 * ms, Min: ms, Max: ms}
			days = append(days, d)
		}
		if status, resp := e.do("POST", "/v1/usage", tok, batch(days...), nil); status != 200 {
			t.Fatal(status, string(resp))
		}
		max := int64(math.MaxInt64)
		for i, row := range [][]any{
			{"jdoe", 1, max, 1, max, 1, max}, // the matched user of team T1
			{"jdoe2", 0, int64(1e18), 0, int64(1e18), -5, int64(-1)},
			{"u9", max, max, max, max, max, max},
		} {
			login := row[0].(string)
			if _, err := e.raw.Exec(`INSERT INTO usage_days (device_id, os_user, product, version, day, login, minutes, sessions,
				startup_count, startup_sum, open_count, open_sum, save_count, save_sum, commands, received_at)
				VALUES ($1, $2, 'AutoCAD', $3, $14, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $15)`,
				device, login, fmt.Sprintf("9.%d", i), login, max, max, row[1], row[2], row[3], row[4], row[5], row[6],
				fmt.Sprintf("LINE:%d MOVE:%d ZZZ:%d :1 BAD LINE:x", max, max, max),
				testenv.Date("2026-11-22"), testenv.Dates("2026-11-22T00:00:00Z")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := insights.Run(context.Background(), e.st, catalog.Builtin(), testenv.Date("2026-11-27"), now); err != nil {
			t.Fatalf("collector insights: %v", err)
		}
		for _, path := range []string{"/v1/teams/T1/insights", testenv.Dates("/v1/teams/T1/insights?as_of=2026-11-23"),
			"/v1/teams/T1/insights.csv", "/v1/teams/T1/usage.csv", "/v1/teams/T2/insights"} {
			token := tokens["primary"]
			if path == "/v1/teams/T2/insights" {
				token = tokens["other"]
			}
			if status, body := e.do("GET", path, token, nil, nil); status != 200 {
				t.Errorf("%s: %d %s", path, status, body)
			}
		}
		status, body := e.do("GET", "/v1/benchmarks?product=AutoCAD", tok, nil, nil)
		var b wire.Benchmarks
		if status != 200 || json.Unmarshal(body, &b) != nil {
			t.Fatalf("benchmarks: %d %s", status, body)
		}
		// jdoe's and jdoe2's rows break the contract and are left out; u9's
		// is consistent (a mean of 1 ms over 2^63-1 opens) and counts.
		if b.Open == nil || *b.Open != (wire.Quartiles{Users: 6, P25: 1000, P50: 3000, P75: 4000}) {
			t.Errorf("open quartiles %+v", b.Open)
		}
	})
}
