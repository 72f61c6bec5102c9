package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
)

// TestConcurrentAssignsNeverOverfill: admins assigning at the same moment
// on several replicas never give away more seats than the subscription has.
func TestConcurrentAssignsNeverOverfill(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := eng.DSN(t)
			st := storetest.Open(t, dsn)
			var users strings.Builder
			users.WriteString("email,login,name\n")
			for i := 0; i < 12; i++ {
				fmt.Fprintf(&users, "u%d@x.com,u%d,U\n", i, i)
			}
			for _, f := range [][2]string{
				{"teams", "team,name,plan,user_management\nT1,One,premium,named\n"},
				{"users", users.String()},
				{"subscriptions", "subscription,team,product,type,seats,channel,start,end\nS1,T1,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\n"},
			} {
				if err := st.Import(ctx, parse(t, f[0], f[1])); err != nil {
					t.Fatal(err)
				}
			}
			// A second store on the same database, as another replica.
			other := storetest.Open(t, dsn)
			var wg sync.WaitGroup
			errs := make([]error, 12)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := st
					if i%2 == 1 {
						s = other
					}
					errs[i] = s.Assign(ctx, store.Change{Team: "T1", Subscription: "S1", Email: fmt.Sprintf("u%d@x.com", i), Actor: "a@x.com"},
						"2026-06-01", time.Now())
				}()
			}
			wg.Wait()
			ok, full := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrConflict):
					full++
				default:
					t.Errorf("assign: %v", err)
				}
			}
			p, _ := st.Picture(ctx)
			if ok != 3 || full != 9 || len(p.Assignments) != 3 {
				t.Errorf("%d assigned, %d refused, %d stored; want 3, 9, 3", ok, full, len(p.Assignments))
			}
			log, err := st.Audit(ctx, "T1", 100)
			if err != nil || len(log) != 3 {
				t.Errorf("audit has %d lines for 3 assignments: %v", len(log), err)
			}
		})
	}
}
