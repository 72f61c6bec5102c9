package localapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"teamlens/agent/internal/store"
)

// pending maps each pending day's date to whether it carries analytics.
func pending(t *testing.T, st *store.Store) map[string]bool {
	t.Helper()
	days, err := st.PendingDays(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, d := range days {
		out[d.Date] = d.Analytics != nil
	}
	return out
}

// TestStopSharingAndWithdraw follows the consent contract's two choices:
// stopping from now on leaves an uploaded day alone and never sends the
// analytics of a pending one; withdrawing sends every uploaded day again
// without analytics, so the collector drops them.
func TestStopSharingAndWithdraw(t *testing.T) {
	ctx := context.Background()
	e := start(t, userChoice)
	consentOn(t, e.store, e.login)
	commit(t, e.store, e.login, session(now.AddDate(0, 0, -2), "AutoCAD", "2027.1", 60, 3000, "LINE"))
	uploaded, err := e.store.PendingDays(ctx, 100)
	if err != nil || len(uploaded) != 1 || uploaded[0].Analytics == nil {
		t.Fatalf("first day pending: %+v, %v", uploaded, err)
	}
	if err := e.store.MarkUploaded(ctx, uploaded); err != nil {
		t.Fatal(err)
	}
	commit(t, e.store, e.login, session(now.AddDate(0, 0, -1), "AutoCAD", "2027.1", 60, 3000, "LINE"))
	first, second := uploaded[0].Date, now.AddDate(0, 0, -1).Format("2006-01-02")

	if on, err := e.client.SetConsent(ctx, false); err != nil || on {
		t.Fatalf("stop sharing: %v, %v", on, err)
	}
	if got := pending(t, e.store); len(got) != 1 || got[second] {
		t.Fatalf("after stopping from now on, pending (date: analytics) = %v; want only %s, without analytics", got, second)
	}
	days, err := e.store.Days(ctx, e.login, first, first)
	if err != nil || len(days) != 1 || days[0].Analytics == nil {
		t.Fatalf("the uploaded day lost its local analytics: %+v, %v", days, err)
	}

	if on, err := e.client.WithdrawConsent(ctx); err != nil || on {
		t.Fatalf("withdraw: %v, %v", on, err)
	}
	if got := pending(t, e.store); len(got) != 2 || got[first] || got[second] {
		t.Fatalf("after withdrawing, pending (date: analytics) = %v; want both days without analytics", got)
	}
	if on, _ := e.store.Consent(ctx, e.login); on {
		t.Fatal("consent still on after withdrawing")
	}
}

func TestWithdrawNeedsOff(t *testing.T) {
	e := start(t, userChoice)
	hc := &http.Client{Transport: transport(e.socket)}
	req, _ := http.NewRequest(http.MethodPut, "http://agent/v1/consent", strings.NewReader(`{"on":true,"withdraw":true}`))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("on with withdraw answered %d, want 400", resp.StatusCode)
	}
}
