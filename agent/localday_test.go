//go:build !windows

// The agent's process tests run on Unix; tests/wine runs its Windows build.

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/internal/testenv"
)

// TestLocalDaysOffUTC runs the agent in Europe/Berlin and in
// America/New_York: a session over Berlin's midnight is split at local
// midnight, and sessions over New York's clock changes count the 23-hour
// day in full and the 25-hour day at the wire contract's 1440 minutes.
func TestLocalDaysOffUTC(t *testing.T) {
	for _, tc := range []struct {
		zone     string
		sessions [][2]string // local start and end, "2006-01-02 15:04"
		want     map[string]int
	}{
		{"Europe/Berlin", [][2]string{{"2026-11-20 23:30", "2026-11-21 00:45"}},
			map[string]int{"2026-11-20": 30, "2026-11-21": 45}},
		{"America/New_York", [][2]string{{"2026-03-08 00:00", "2026-03-08 23:59"}, {"2026-11-01 00:00", "2026-11-01 23:59"}},
			map[string]int{"2026-03-08": 23*60 - 1, "2026-11-01": 1440}},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t)
			var text strings.Builder
			for i, s := range tc.sessions {
				for j, typ := range []string{"session.start", "session.end"} {
					ts, err := time.ParseInLocation("2006-01-02 15:04", s[j], loc)
					if err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(&text, `{"v":1,"ts":%q,"product":"AutoCAD","version":"2027.1","session":"z%d","type":%q}`+"\n",
						ts.Format(time.RFC3339), i, typ)
				}
			}
			if err := os.WriteFile(filepath.Join(e.spool, "z.jsonl"), []byte(text.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(agentBin, "run", "--config", e.config, "--data-dir", e.data, "--spool-dir", e.spool, "--socket", e.socket)
			cmd.Env = append(os.Environ(), "TZ="+tc.zone)
			cmd.Stderr = &testenv.Buffer{}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			e.waitDays(t, len(tc.want))
			got := map[string]int{}
			for _, d := range e.export(t).Days {
				got[d.Date] = d.Minutes
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("days %v, want %v", got, tc.want)
			}
		})
	}
}

func (e env) waitDays(t *testing.T, n int) {
	t.Helper()
	e.waitFor(t, "day records", func(s agentStatus) bool { return s.Counts.Days >= n })
}
