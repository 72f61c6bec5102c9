package license_test

import (
	"strings"
	"testing"

	"teamlens/collector/internal/license"
	"teamlens/shared/catalog"
)

func TestParseGood(t *testing.T) {
	cat := catalog.Builtin()
	f, err := license.Parse(license.KindSubscriptions, strings.NewReader(
		"\ufeffsubscription,team,product,type,seats,channel,start,end\n"+
			"S1,T1,autocad,single-user,3,online,2026-01-01,2026-12-31\n"+
			"S2, T1 ,Revit,flex,0,reseller,2026-01-01,2026-01-01\n"), cat)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Subscriptions) != 2 || f.Subscriptions[0].Product != "AutoCAD" || f.Subscriptions[1].Team != "T1" || f.Subscriptions[0].Seats != 3 {
		t.Errorf("got %+v", f.Subscriptions)
	}
	u, err := license.Parse(license.KindUsers, strings.NewReader("email,login,name\nJDoe@X.com,CORP\\JDoe,\"Doe, J\"\n"), cat)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Users[0]; got.Email != "jdoe@x.com" || got.LoginKey() != "jdoe" || got.Name != "Doe, J" {
		t.Errorf("got %+v key %q", got, got.LoginKey())
	}
}

func TestParseErrorsNameLineAndColumn(t *testing.T) {
	cat := catalog.Builtin()
	tests := []struct {
		name, kind, body, want string
	}{
		{"seats", license.KindSubscriptions, "subscription,team,product,type,seats,channel,start,end\n" +
			"S1,T1,AutoCAD,flex,1,online,2026-01-01,2026-12-31\n" +
			"S2,T1,AutoCAD,flex,2,online,2026-01-01,2026-12-31\n" +
			"S3,T1,AutoCAD,flex,x,online,2026-01-01,2026-12-31\n",
			`line 4, column seats: "x" is not a whole number`},
		{"negative seats", license.KindSubscriptions, "subscription,team,product,type,seats,channel,start,end\n" +
			"S1,T1,AutoCAD,flex,-1,online,2026-01-01,2026-12-31\n", `line 2, column seats: "-1" is not a whole number`},
		{"product", license.KindSubscriptions, "subscription,team,product,type,seats,channel,start,end\n" +
			"S1,T1,Paint,flex,1,online,2026-01-01,2026-12-31\n", `line 2, column product: "Paint" is not a product of the catalog`},
		{"end before start", license.KindSubscriptions, "subscription,team,product,type,seats,channel,start,end\n" +
			"S1,T1,AutoCAD,flex,1,online,2026-02-01,2026-01-31\n", `line 2, column end:`},
		{"plan", license.KindTeams, "team,name,plan,user_management\nT1,One,gold,named\n", `line 2, column plan: "gold" is not one of standard, premium`},
		{"date", license.KindAssignments, "subscription,email,assigned_on\nS1,a@x.com,2026-13-01\n", `line 2, column assigned_on: "2026-13-01" is not a date`},
		{"email", license.KindUsers, "email,login,name\nnot-an-email,jdoe,J\n", `line 2, column email:`},
		{"login", license.KindUsers, "email,login,name\na@x.com,j doe,J\n", `line 2, column login: "j doe" is not a valid login`},
		{"header", license.KindTeams, "team,name,plan\nT1,One,premium\n", `line 1: header is`},
		{"field count", license.KindTeams, "team,name,plan,user_management\nT1,One,premium\n", `line 2:`},
		{"duplicate", license.KindTeams, "team,name,plan,user_management\nT1,One,premium,named\nT1,Two,premium,named\n", `line 3, column team: "T1" repeats line 2`},
		{"empty", license.KindTeams, "", "file is empty"},
		{"kind", "seats", "a\n", "unknown kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := license.Parse(tt.kind, strings.NewReader(tt.body), cat)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoginKey(t *testing.T) {
	for in, want := range map[string]string{"jdoe": "jdoe", "JDoe": "jdoe", `CORP\JDoe`: "jdoe", `a.b\c@d`: "c@d"} {
		if got := license.LoginKey(in); got != want {
			t.Errorf("LoginKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckEmail(t *testing.T) {
	for v, ok := range map[string]bool{"it@acme.example": true, "not an email": false, "@acme": false,
		"a@": false, "a@b@c": false, "a;b@c": false, "a@b.c": true} {
		if err := license.CheckEmail(v); (err == nil) != ok {
			t.Errorf("CheckEmail(%q) = %v, want ok %v", v, err, ok)
		}
	}
}
