package server_test

import (
	"encoding/json"
	"teamlens/internal/testenv"
	"testing"
)

// An admin's request computes only their own team's snapshot: no as_of of
// theirs moves another team's latest insights, and days after today or
// before any possible upload are refused without computing anything.
func TestOnDemandSnapshotIsolation(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedTeams(t, e) // snapshots of 2026-11-25 and -26 for T1 and T2
		count := func() (n int) {
			t.Helper()
			if err := e.raw.QueryRow(`SELECT COUNT(*) FROM snapshots`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		latest := func(token, team string) string {
			t.Helper()
			status, body := e.do("GET", "/v1/teams/"+team+"/insights", token, nil, nil)
			var s struct {
				AsOf string `json:"as_of"`
			}
			if status != 200 || json.Unmarshal(body, &s) != nil {
				t.Fatalf("%s insights: %d %s", team, status, body)
			}
			return s.AsOf
		}
		before := count()
		for _, asOf := range []string{testenv.Date("2026-11-28"), testenv.Date("2026-12-31"), "9999-12-31", "0001-01-01", testenv.Epoch().AddDate(-2, 0, -1).Format("2006-01-02"), testenv.Date("2026-11-32"), "today"} {
			if status, body := e.do("GET", "/v1/teams/T2/insights?as_of="+asOf, tokens["other"], nil, nil); status != 400 {
				t.Errorf("as_of=%s: %d %s, want 400", asOf, status, body)
			}
		}
		if n := count(); n != before {
			t.Fatalf("refused requests stored %d snapshots", n-before)
		}
		// Today (2026-11-27) is not computed yet: T2's admin gets it
		// computed, for T2 alone.
		if status, body := e.do("GET", testenv.Dates("/v1/teams/T2/insights?as_of=2026-11-27"), tokens["other"], nil, nil); status != 200 {
			t.Fatalf("today: %d %s", status, body)
		}
		if n := count(); n != before+1 {
			t.Errorf("one on-demand request stored %d snapshots, want 1", n-before)
		}
		if got := latest(tokens["primary"], "T1"); got != testenv.Date("2026-11-26") {
			t.Errorf("T1's latest insights are of %s after T2 asked for today, want 2026-11-26", got)
		}
		if got := latest(tokens["other"], "T2"); got != testenv.Date("2026-11-27") {
			t.Errorf("T2's latest insights are of %s, want the day it asked for", got)
		}
		if status, body := e.do("GET", testenv.Dates("/v1/teams/T2/insights?as_of=2024-11-27"), tokens["other"], nil, nil); status != 200 {
			t.Errorf("two years ago: %d %s", status, body)
		}
	})
}
