package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/catalog"
)

func parse(t *testing.T, kind, body string) *license.File {
	t.Helper()
	f, err := license.Parse(kind, strings.NewReader(body), catalog.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// picture renders the license picture in one comparable string.
func picture(t *testing.T, st *store.Store) string {
	t.Helper()
	p, err := st.Picture(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%v|%v|%v|%v", p.Teams, p.Users, p.Subscriptions, p.Assignments)
}

func TestImportReplace(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, eng.DSN(t))
			for _, f := range []*license.File{
				parse(t, "teams", "team,name,plan,user_management\nT1,One,premium,named\nT2,Two,premium,named\n"),
				parse(t, "users", "email,login,name\na@x.com,a,A\nb@x.com,b,B\nc@x.com,c,C\n"),
				parse(t, "subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
					"S1,T1,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\nS2,T1,Revit,single-user,3,online,2026-01-01,2026-12-31\n"),
				parse(t, "assignments", "subscription,email,assigned_on\nS1,a@x.com,2026-01-02\nS1,b@x.com,2026-01-02\nS2,b@x.com,2026-01-02\n"),
			} {
				if err := st.Import(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
			// b leaves the directory, c is renamed, d arrives: b's seats go with b.
			sum, err := st.ImportReplace(ctx, parse(t, "users", "email,login,name\na@x.com,a,A\nc@x.com,c,Cee\nd@x.com,d,D\n"))
			if err != nil {
				t.Fatal(err)
			}
			if sum != (store.ImportSummary{Added: 1, Changed: 1, Removed: 1, Unchanged: 1}) {
				t.Errorf("users summary %v", sum)
			}
			p, _ := st.Picture(ctx)
			if fmt.Sprint(p.Assignments) != fmt.Sprint([]license.Assignment{{Subscription: "S1", Email: "a@x.com", AssignedOn: "2026-01-02"}}) {
				t.Errorf("assignments after b left: %v", p.Assignments)
			}
			// S2 ends: the subscription and its seats go.
			sum, err = st.ImportReplace(ctx, parse(t, "subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
				"S1,T1,AutoCAD,single-user,5,online,2026-01-01,2026-12-31\n"))
			if err != nil || sum != (store.ImportSummary{Changed: 1, Removed: 1}) {
				t.Errorf("subscriptions: %v %v", sum, err)
			}
			sum, err = st.ImportReplace(ctx, parse(t, "assignments", "subscription,email,assigned_on\nS1,c@x.com,2026-02-01\n"))
			if err != nil || sum != (store.ImportSummary{Added: 1, Removed: 1}) {
				t.Errorf("assignments: %v %v", sum, err)
			}
			before := picture(t, st)
			// T1 still has a subscription: removing it fails, and nothing
			// of the file (T2's rename) is kept.
			if _, err := st.ImportReplace(ctx, parse(t, "teams", "team,name,plan,user_management\nT2,Deux,premium,named\n")); err == nil || !strings.Contains(err.Error(), "T1") {
				t.Errorf("removing a team with subscriptions: %v", err)
			}
			// A row that fails half way through (an unknown team on the
			// second line) leaves the first line's change and every removal undone.
			if _, err := st.ImportReplace(ctx, parse(t, "subscriptions", "subscription,team,product,type,seats,channel,start,end\n"+
				"S9,T2,AutoCAD,single-user,1,online,2026-01-01,2026-12-31\nS8,T7,AutoCAD,single-user,1,online,2026-01-01,2026-12-31\n")); err == nil {
				t.Error("a subscription of an unknown team was accepted")
			}
			if after := picture(t, st); after != before {
				t.Errorf("failed replace changed data:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
