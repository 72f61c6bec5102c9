package daily_test

import (
	"context"
	"encoding/json"
	"strings"
	"teamlens/internal/testenv"
	"testing"
	"time"

	"teamlens/collector/internal/daily"
	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

// The snapshot computed before the first uploads is computed again once
// they arrive, at most once per Refresh, and never without new data.
func TestStaleSnapshotRefreshed(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, eng.DSN(t))
			for _, f := range [][2]string{
				{"teams", "team,name,plan,user_management\nT1,One,premium,named\n"},
				{"users", "email,login,name\njdoe@x.com,jdoe,J\n"},
				{"subscriptions", "subscription,team,product,type,seats,channel,start,end\nS1,T1,AutoCAD,single-user,2,online,2026-01-01,2026-12-31\n"},
				{"assignments", "subscription,email,assigned_on\nS1,jdoe@x.com,2026-01-02\n"},
			} {
				parsed, err := license.Parse(f[0], strings.NewReader(testenv.Dates(f[1])), catalog.Builtin())
				if err != nil {
					t.Fatal(err)
				}
				if err := st.Import(ctx, parsed); err != nil {
					t.Fatal(err)
				}
			}
			c := &clock{}
			job := &daily.Job{Store: st, Hour: 2, Now: c.now, Refresh: time.Hour}
			inactive := func(when string) (bool, string) {
				t.Helper()
				c.set(when)
				if _, err := job.Tick(ctx); err != nil {
					t.Fatal(err)
				}
				body, err := st.Snapshot(ctx, "T1", "")
				if err != nil {
					t.Fatal(err)
				}
				var s insights.Snapshot
				if err := json.Unmarshal(body, &s); err != nil {
					t.Fatal(err)
				}
				if s.AsOf != testenv.Date("2026-11-26") {
					t.Fatalf("latest snapshot is of %s", s.AsOf)
				}
				return len(s.Insights.InactiveUser) > 0, s.GeneratedAt.Format(time.RFC3339)
			}
			// Started before any upload: jdoe looks inactive.
			if in, _ := inactive("2026-11-27T03:00:00Z"); !in {
				t.Fatal("jdoe active before any upload")
			}
			device, _, err := st.Enroll(ctx, "ws", c.now())
			if err != nil {
				t.Fatal(err)
			}
			if err := st.PutDays(ctx, device, []wire.Day{{Date: testenv.Date("2026-11-26"), User: "jdoe", Product: "AutoCAD", Version: "2027", Minutes: 30, Sessions: 1}}, c.now()); err != nil {
				t.Fatal(err)
			}
			if in, _ := inactive("2026-11-27T03:30:00Z"); !in {
				t.Error("refreshed within the hour of the last computation")
			}
			in, gen := inactive("2026-11-27T04:01:00Z")
			if in {
				t.Fatal("jdoe still inactive an hour after the upload")
			}
			if _, again := inactive("2026-11-27T09:00:00Z"); again != gen {
				t.Errorf("recomputed at %s with no new upload", again)
			}
			// Usage after as_of does not make the day's snapshot stale.
			if err := st.PutDays(ctx, device, []wire.Day{{Date: testenv.Date("2026-12-20"), User: "jdoe", Product: "AutoCAD", Version: "2027", Minutes: 30, Sessions: 1}}, c.now()); err != nil {
				t.Fatal(err)
			}
			if _, again := inactive("2026-11-27T11:00:00Z"); again != gen {
				t.Errorf("recomputed at %s for an upload of a later day", again)
			}
		})
	}
}
