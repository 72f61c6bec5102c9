package watch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"teamlens/collector/internal/browsertest"
	"teamlens/collector/internal/store/storetest"
	"teamlens/internal/testenv"
)

// TestReclaimInChromium is the reclaim flow as its people live it, in a
// real browser: the admin runs the dry run and turns the policy on on the
// Notifications page; bob opens his notice's link and presses "I still
// need it"; at the end of the notice cat's seat is gone, bob's is not, and
// the team page's audit says the reclaim policy did it.
func TestReclaimInChromium(t *testing.T) {
	testenv.Short(t, "starts a browser")
	s := newSite(t, storetest.SQLiteDSN(t))
	seedReclaim(t, s)
	shots := os.Getenv("TEAMLENS_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	bctx := browsertest.Chromium(t)
	ctx, cancel := context.WithTimeout(bctx, 2*time.Minute)
	defer cancel()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must("screenshot "+name, err)
		must("write "+name, os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644))
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
		must("count "+sel, err)
		return n
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must("read "+sel, err)
		return strings.TrimSpace(v)
	}

	must("open", chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.WaitVisible(chromedp.ID("token"))))
	must("sign in", chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("token"), s.token)))
	must("sign in", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`form[action="/signin"] button`))))
	must("notifications", browsertest.PageTurn(ctx, chromedp.Navigate(s.srv.URL+"/teams/acme/notifications")))
	must("dry run keep", chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#dry-form input[name=keep]`), "fay@x.com")))
	must("dry run", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`#dry-form button[type=submit]`))))
	for user, action := range map[string]string{"bob@x.com": "notify", "cat@x.com": "notify", "dan@x.com": "unknown", "eve@x.com": "excluded", "fay@x.com": "keep"} {
		if count(`[data-preview="AutoCAD"] tr[data-user="`+user+`"][data-action="`+action+`"]`) != 1 {
			t.Errorf("dry run: %s is not %s", user, action)
		}
	}
	shot("notify-01-dry-run")
	must("policy", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`#policy-form button[type=submit]`))))
	if count(`tr[data-policy="AutoCAD"]`) != 1 {
		t.Fatal("the policy is not shown after saving it")
	}
	shot("notify-02-policy-on")

	must("pass", s.watcher.Reclaim(ctx))
	s.deliverAll()
	link := keepLink.FindString(s.mails()["bob@x.com"][0].Body)
	if link == "" {
		t.Fatal("bob's notice has no link")
	}
	must("open bob's link", browsertest.PageTurn(ctx, chromedp.Navigate(link)))
	shot("notify-03-keep-page")
	must("I still need it", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`form[action^="/keep/"] button`))))
	if count(`[data-kept="bob@x.com"]`) != 1 {
		t.Fatal("the keep page does not confirm bob's seat")
	}
	shot("notify-04-kept")

	s.clk.Add(14 * 24 * time.Hour)
	must("pass", s.watcher.Reclaim(ctx))
	s.deliverAll()
	// Two weeks on, the admin's session has ended: sign in again.
	must("open", chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.WaitVisible(chromedp.ID("token"))))
	must("sign in", chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("token"), s.token)))
	must("sign in", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`form[action="/signin"] button`))))
	must("team page", browsertest.PageTurn(ctx, chromedp.Navigate(s.srv.URL+"/teams/acme")))
	if n := count(`tr[data-audit="unassign"]`); n != 1 {
		t.Fatalf("audit shows %d unassignments, want 1", n)
	}
	if got := text(`tr[data-audit="unassign"]`); !strings.Contains(got, "reclaim-policy") || !strings.Contains(got, "cat@x.com") {
		t.Errorf("audit line %q", got)
	}
	if count(`tr[data-audit="reclaim.keep"]`) != 1 {
		t.Error("the audit does not show bob keeping his seat")
	}
	shot("notify-05-audit")
	must("notifications again", browsertest.PageTurn(ctx, chromedp.Navigate(s.srv.URL+"/teams/acme/notifications")))
	if count(`tr[data-message="reclaim.done"][data-state="sent"]`) != 2 {
		t.Errorf("the outbox does not show the reclaim told to cat and the admin, sent")
	}
	shot("notify-06-outbox")
}
