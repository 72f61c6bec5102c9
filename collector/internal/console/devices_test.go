package console_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"teamlens/shared/wire"
)

// TestUsageDetailsDevices: the usage details name the devices that report
// each user, so an admin sees a workstation reporting someone it should
// not, and a revoked one is marked.
func TestUsageDetailsDevices(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	ctx := context.Background()
	id, _, err := s.st.Enroll(ctx, "rogue-pc", start)
	if err != nil {
		t.Fatal(err)
	}
	forged := wire.Day{Date: start.AddDate(0, 0, -1).Format(wire.DateLayout), User: `CORP\u1`, Product: "AutoCAD", Version: "2027.1", Minutes: 5, Sessions: 1}
	if err := s.st.PutDays(ctx, id, []wire.Day{forged}, start); err != nil {
		t.Fatal(err)
	}
	if err := s.st.Revoke(ctx, id, start); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.signIn(s.tokens["sso"])
	_, body := b.get("/teams/T1/usage")
	row := regexp.MustCompile(`(?s)<tr data-user="u1@acme.example" data-product="AutoCAD">.*?</tr>`).FindString(body)
	if !strings.Contains(row, ">ws-01</span>") || !strings.Contains(row, `data-device="`+id+`"`) || !strings.Contains(row, ">rogue-pc</span> (revoked)") {
		t.Errorf("u1's row does not name both devices:\n%s", row)
	}
	row = regexp.MustCompile(`(?s)<tr data-user="u2@acme.example" data-product="AutoCAD">.*?</tr>`).FindString(body)
	if row == "" || strings.Contains(row, "rogue-pc") {
		t.Errorf("u2's row names a device that never reported u2:\n%s", row)
	}
}
