package fleetsim

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

var end = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func TestSameSeedSameOrganization(t *testing.T) {
	a, b := New(Options{Users: 80, Seed: 3, End: end}), New(Options{Users: 80, Seed: 3, End: end})
	if !reflect.DeepEqual(a.Subscriptions, b.Subscriptions) || !reflect.DeepEqual(a.Assignments, b.Assignments) {
		t.Fatal("the same seed gave different license pictures")
	}
	for i := range a.Users {
		if !reflect.DeepEqual(a.Days(a.Users[i]), b.Days(b.Users[i])) {
			t.Fatalf("the same seed gave user %d different days", i)
		}
	}
	if c := New(Options{Users: 80, Seed: 4, End: end}); reflect.DeepEqual(a.Days(a.Users[0]), c.Days(c.Users[0])) {
		t.Fatal("another seed gave the same days")
	}
}

// TestOrganizationHasEveryCase checks the license picture holds what each
// insight and each unavailable reason needs, and every day is one the
// collector accepts.
func TestOrganizationHasEveryCase(t *testing.T) {
	org := New(Options{Users: 120, Seed: 1, End: end})
	has := map[string]bool{}
	for _, team := range org.Teams {
		has["plan "+team.Plan] = true
		has["management "+team.UserManagement] = true
	}
	assigned := map[string]int{}
	for _, a := range org.Assignments {
		assigned[a.Subscription]++
	}
	today := end.Format(wire.DateLayout)
	for _, s := range org.Subscriptions {
		has["type "+s.Type] = true
		has["channel "+s.Channel] = true
		if s.Channel == "online" && s.End < today && assigned[s.ID] > 0 {
			has["ended online with users"] = true
		}
		if s.End >= today && assigned[s.ID] < s.Seats {
			has["free seats"] = true
		}
	}
	for _, want := range []string{"plan premium", "plan standard", "management classic", "type single-user", "type flex",
		"type multi-user", "channel reseller", "ended online with users", "free seats"} {
		if !has[want] {
			t.Errorf("the organization lacks %s", want)
		}
	}
	cat := catalog.Builtin()
	known := func(p string) bool { _, ok := cat.Lookup(p); return ok }
	versions, startups := map[string]int{}, map[int64]bool{}
	for _, u := range org.Users {
		days := org.Days(u)
		if len(days) == 0 {
			continue // assigned, never used
		}
		if err := (&wire.Batch{Schema: wire.Schema, Days: days}).Validate(known, end); err != nil {
			t.Fatalf("%s: %v", u.Login, err)
		}
		for _, d := range days {
			versions[d.Version]++
			if d.Analytics != nil {
				startups[d.Analytics.StartupMS.Sum/d.Analytics.StartupMS.Count/500] = true
			}
		}
	}
	if versions[outlierVersion] == 0 || versions[outlierVersion]*100 > versions[mainVersion] {
		t.Errorf("outlier version on %d user-days beside %d: want a few, under 1%%", versions[outlierVersion], versions[mainVersion])
	}
	if len(startups) < 10 {
		t.Errorf("startup means fall in %d half-second buckets: too uniform for quartiles", len(startups))
	}
}

func TestWriteCSV(t *testing.T) {
	org := New(Options{Users: 30, Seed: 1, End: end})
	files, err := org.WriteCSV(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"teams", "users", "subscriptions", "assignments"}
	for i, f := range files {
		b, err := os.ReadFile(f[1])
		if f[0] != want[i] || err != nil || len(b) == 0 {
			t.Fatalf("file %d: %s %s %v", i, f[0], f[1], err)
		}
	}
}

func TestVerifyFindsWhatWasLost(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE usage_days (device_id TEXT, os_user TEXT, product TEXT, version TEXT, day TEXT, sessions BIGINT)`); err != nil {
		t.Fatal(err)
	}
	l := &Ledger{Keys: map[LedgerKey]*Revisions{}}
	days := loadDays(0, end, 0, 2)
	l.record("d1", days, false)
	l.record("d1", days, true)
	store := func(d wire.Day, rev int) {
		if _, err := db.Exec(`INSERT INTO usage_days VALUES ('d1', ?, ?, ?, ?, ?)`, d.User, d.Product, d.Version, d.Date, rev); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range days[1:] {
		store(d, 2)
	}
	if _, err := l.Verify(context.Background(), path); err == nil {
		t.Fatal("a lost acknowledged day passed")
	}
	store(days[0], 1)
	if _, err := l.Verify(context.Background(), path); err == nil {
		t.Fatal("a day stored at an older revision than acknowledged passed")
	}
	db.Exec(`UPDATE usage_days SET sessions = 2`)
	if n, err := l.Verify(context.Background(), path); err != nil || n != len(days) {
		t.Fatalf("a faithful store: %d rows, %v", n, err)
	}
	store(days[0], 2)
	if _, err := l.Verify(context.Background(), path); err == nil {
		t.Fatal("a day stored twice passed")
	}
}
