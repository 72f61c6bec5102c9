package store_test

import (
	"context"
	"errors"
	"testing"

	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
)

// TestUsageSetForgetsRemovedPeople, on both engines: stored usage rows are
// read back as stored, and an import that removes a person from the
// directory drops every stored set, so no name or email of theirs stays.
// A license change moves the stamp.
func TestUsageSetForgetsRemovedPeople(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, eng.DSN(t))
			st.Import(ctx, parse(t, "teams", "team,name,plan,user_management\nT1,One,premium,named\n"))
			st.Import(ctx, parse(t, "users", "email,login,name\nann@x.com,ann,Ann\nbob@x.com,bob,Bob\n"))
			before, err := st.UsageStamp(ctx, "2026-01-01")
			if err != nil {
				t.Fatal(err)
			}
			set := store.UsageSet{Team: "T1", Scope: "all", AsOf: "2026-01-01", Stamp: before, Activity: []byte("{}")}
			rows := []store.UsageRow{
				{Email: "ann@x.com", Login: "ann", Name: "Ann", Product: "AutoCAD", DaysUsed: 3, Subscriptions: []string{"S1", "S2"}},
				{Email: "bob@x.com", Login: "bob", Name: "Bob", Product: "AutoCAD"},
			}
			if err := st.PutUsageSet(ctx, set, rows, map[string]bool{"AutoCAD|bob@x.com": true}); err != nil {
				t.Fatal(err)
			}
			var got []string
			err = st.EachUsage(ctx, "T1", "all", store.UsageFilter{Inactive: true}, func(r store.UsageRow, inactive bool) error {
				got = append(got, r.Email)
				return nil
			})
			if err != nil || len(got) != 1 || got[0] != "bob@x.com" {
				t.Fatalf("inactive rows: %v %v", got, err)
			}
			if n, err := st.CountUsage(ctx, "T1", "all", store.UsageFilter{Subscription: "S2"}); n != 1 || err != nil {
				t.Fatalf("rows of S2: %d %v", n, err)
			}
			if _, err := st.ImportReplace(ctx, parse(t, "users", "email,login,name\nann@x.com,ann,Ann\n")); err != nil {
				t.Fatal(err)
			}
			if _, err := st.UsageSet(ctx, "T1", "all"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the usage set outlives the removal of bob: %v", err)
			}
			if n, _ := st.CountUsage(ctx, "T1", "all", store.UsageFilter{}); n != 0 {
				t.Errorf("%d usage rows outlive the removal of bob", n)
			}
			if after, _ := st.UsageStamp(ctx, "2026-01-01"); after == before {
				t.Errorf("the stamp %q did not move with the license", after)
			}
		})
	}
}
