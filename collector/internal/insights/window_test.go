package insights_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

// genUsage returns 220 days of varied usage ending 10 days after as_of:
// users who stop, who start late, several versions (one rare), two
// devices, unmatched logins. Stat counts are powers of two, so every mean
// and sum of means is exact and snapshots compare byte for byte.
func genUsage(r *rand.Rand, users int) [][]wire.Day {
	end, _ := time.Parse(license.DateLayout, day(10))
	var devices [2][]wire.Day
	cmds := []string{"LINE", "MOVE", "ZOOM", "LAYER", "MTEXT", "PURGE", "CUSTOMCMD"}
	for u := 0; u < users+5; u++ {
		user := fmt.Sprintf("u%d", u)
		if u%7 == 0 {
			user = `CORP\` + strings.ToUpper(user) // matched case-insensitively
		}
		stop, start := 220, 0
		switch u % 5 {
		case 1:
			stop = 100 + r.Intn(120) // stopped some time before the end
		case 2:
			start = r.Intn(200)
		}
		for d := start; d < stop; d++ {
			for _, p := range []string{"AutoCAD", "Revit"} {
				if r.Intn(3) == 0 || (p == "Revit" && u%3 == 0) {
					continue
				}
				version := []string{"2027", "2026", "2025"}[r.Intn(3)]
				if r.Intn(150) == 0 {
					version = "2019.rare"
				}
				x := wire.Day{Date: end.AddDate(0, 0, -d).Format(license.DateLayout), User: user, Product: p, Version: version,
					Minutes: 1 + r.Intn(600), Sessions: 1, Analytics: &wire.Analytics{Commands: map[string]*wire.Outcomes{}}}
				for _, c := range cmds[:1+r.Intn(len(cmds))] {
					x.Analytics.Commands[c] = &wire.Outcomes{Started: 50, Completed: int64(r.Intn(40))}
				}
				if r.Intn(4) > 0 {
					n := int64(1) << r.Intn(3)
					ms := int64(1000 + r.Intn(9000))
					x.Analytics.StartupMS = &wire.Stat{Count: n, Sum: n * ms, Min: ms, Max: ms}
					x.Analytics.SaveMS = &wire.Stat{Count: 2 * n, Sum: n * ms, Min: ms / 2, Max: ms / 2}
				}
				if r.Intn(4) == 0 {
					x.Analytics = nil // a user who had not opted in that day
				}
				dev := r.Intn(2)
				devices[dev] = append(devices[dev], x)
			}
		}
	}
	return devices[:]
}

func genPicture(users int) map[string]string {
	var u, a strings.Builder
	u.WriteString("email,login,name\n")
	a.WriteString("subscription,email,assigned_on\n")
	for i := 0; i < users; i++ {
		fmt.Fprintf(&u, "u%d@x.com,u%d,U\n", i, i)
		team := i % 3
		fmt.Fprintf(&a, "T%d-AutoCAD,u%d@x.com,%s\n", team, i, day(-200+i%150))
		if i%2 == 0 {
			fmt.Fprintf(&a, "T%d-Revit,u%d@x.com,%s\n", team, i, day(-95))
		}
	}
	var s strings.Builder
	s.WriteString("subscription,team,product,type,seats,channel,start,end\n")
	for t := 0; t < 3; t++ {
		for _, p := range []string{"AutoCAD", "Revit"} {
			fmt.Fprintf(&s, "T%d-%s,T%d,%s,single-user,%d,online,2025-01-01,2027-12-31\n", t, p, t, p, users)
		}
	}
	return map[string]string{
		"teams": "team,name,plan,user_management\nT0,Zero,premium,named\nT1,One,premium,named\nT2,Two,standard,named\n",
		"users": u.String(), "subscriptions": s.String(), "assignments": a.String(),
	}
}

// snapshotsJSON computes every team's snapshots of each as_of, from the
// block aggregates and from usage rows alone, fails when they differ, and
// returns them.
func snapshotsJSON(t *testing.T, st *store.Store, asOfs []string) string {
	t.Helper()
	var out strings.Builder
	for _, asOf := range asOfs {
		var got [2]string
		for i, s := range []*store.Store{st, st.Uncached()} {
			in, err := insights.Load(context.Background(), s, catalog.Builtin(), asOf)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(insights.Compute(in, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)))
			if err != nil {
				t.Fatal(err)
			}
			got[i] = string(b)
		}
		if got[0] != got[1] {
			i := 0
			for i < len(got[0]) && i < len(got[1]) && got[0][i] == got[1][i] {
				i++
			}
			from := max(0, i-300)
			t.Fatalf("as of %s, from byte %d block aggregates give\n%.600s\nusage rows give\n%.600s", asOf, i, got[0][from:], got[1][from:])
		}
		out.WriteString(got[0])
	}
	return out.String()
}

// The block aggregates give the very snapshots that reading every usage
// row gives, on both engines, for windows sliding across block edges,
// after days are sent again and replaced or deleted, and in the past.
func TestWindowAggregatesMatchUsageRows(t *testing.T) {
	const users = 30
	asOfs := []string{day(0), day(-1), day(-3), day(-8), day(-17), day(-100), day(6)}
	var results []string
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			w := newWorld(t, eng.DSN(t))
			w.st.SetMaxDeviceUsers(0) // two devices report every user
			pic := genPicture(users)
			for _, kind := range []string{"teams", "users", "subscriptions", "assignments"} {
				w.load(kind, pic[kind])
			}
			r := rand.New(rand.NewSource(7))
			devices := genUsage(r, users)
			other, _, err := w.st.Enroll(context.Background(), "ws2", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for i, device := range []string{w.device, other} {
				for start := 0; start < len(devices[i]); start += 500 {
					if err := w.st.PutDays(context.Background(), device, devices[i][start:min(start+500, len(devices[i]))], time.Now()); err != nil {
						t.Fatal(err)
					}
				}
			}
			first := snapshotsJSON(t, w.st, asOfs)
			// Days sent again, changed, inside blocks already aggregated.
			var again []wire.Day
			for _, d := range devices[0][:400] {
				d.Version = "2027"
				if d.Analytics != nil {
					d.Analytics.Commands = map[string]*wire.Outcomes{"ERASE": {Completed: 9}}
				}
				again = append(again, d)
			}
			w.days(again...)
			second := snapshotsJSON(t, w.st, asOfs)
			if first == second {
				t.Fatal("replaced days changed no snapshot: the test proves nothing")
			}
			// A device's data deleted: the one change that takes days away.
			if _, err := w.st.RevokeDevice(context.Background(), other, true, time.Now()); err != nil {
				t.Fatal(err)
			}
			if third := snapshotsJSON(t, w.st, asOfs); third == second {
				t.Fatal("deleting a device's days changed no snapshot")
			}
			results = append(results, second)
		})
	}
	if len(results) == 2 && results[0] != results[1] {
		t.Errorf("SQLite and PostgreSQL give different snapshots:\n%s\n%s", results[0], results[1])
	}
}

// A digest that does not decode is computed again from usage rows, as one
// out of date would be: no wrong figure is served and nothing needs repair
// by hand.
func TestCorruptDigestIsComputedAgain(t *testing.T) {
	dsn := storetest.SQLiteDSN(t)
	w := newWorld(t, dsn)
	pic := genPicture(10)
	for _, kind := range []string{"teams", "users", "subscriptions", "assignments"} {
		w.load(kind, pic[kind])
	}
	devices := genUsage(rand.New(rand.NewSource(3)), 10)
	w.st.SetMaxDeviceUsers(0)
	for start := 0; start < len(devices[0]); start += 500 {
		w.days(devices[0][start:min(start+500, len(devices[0]))]...)
	}
	snapshots := func() (string, error) {
		in, err := insights.Load(context.Background(), w.st, catalog.Builtin(), day(0))
		if err != nil {
			return "", err
		}
		b, err := json.Marshal(insights.Compute(in, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)))
		return string(b), err
	}
	want, err := snapshots()
	if err != nil {
		t.Fatal(err)
	}
	raw := storetest.Raw(t, dsn)
	// The current format's number, then bytes that are no digest.
	if _, err := raw.Exec(`UPDATE usage_digests SET body = ?`, []byte{2, 0xff, 0xff, 0xff}); err != nil {
		t.Fatal(err)
	}
	got, err := snapshots()
	if err != nil || got != want {
		t.Fatalf("over corrupt digests: %v, %.200s\nwant %.200s", err, got, want)
	}
	var bad int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM usage_digests WHERE LENGTH(body) = 4`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d corrupt digests kept (%v)", bad, err)
	}
}
