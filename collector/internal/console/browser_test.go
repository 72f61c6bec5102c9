package console_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"teamlens/collector/internal/browsertest"
	"teamlens/collector/internal/store/storetest"
	"teamlens/internal/testenv"
)

// ScreenshotsEnv names a directory the browser test writes its page
// screenshots to (default: a temporary one).
const ScreenshotsEnv = "TEAMLENS_SCREENSHOTS"

// TestConsoleInChromium walks the console as an admin would, in a real
// browser, writing a screenshot of each page.
func TestConsoleInChromium(t *testing.T) {
	testenv.Short(t, "starts a browser")
	s := newSite(t, storetest.SQLiteDSN(t), siteOptions{})
	shots := os.Getenv(ScreenshotsEnv)
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
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must("read "+sel, err)
		return strings.TrimSpace(v)
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
		must("count "+sel, err)
		return n
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		must("location", err)
		return strings.TrimPrefix(loc, s.srv.URL)
	}

	must("open /", chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("token"))))
	if loc := location(); loc != "/signin" {
		t.Fatalf("a visitor lands on %s, want /signin", loc)
	}
	shot("01-signin")
	must("sign in", chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("token"), s.tokens["primary"])))
	must("sign in", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`form[action="/signin"] button`))))
	if loc := location(); loc != "/teams" {
		t.Fatalf("after sign-in at %s", loc)
	}
	shot("02-teams")

	must("pick team", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`a[href="/teams/T1"][data-team]`))))
	for _, kind := range []string{"under_assignment", "over_assignment", "inactive_user", "product_version", "product_performance", "command_usage"} {
		if count(`[data-kind="`+kind+`"], [data-group="`+kind+`"]`) == 0 {
			t.Errorf("team page: no %s card", kind)
		}
	}
	if got := text(`[data-kind="under_assignment"][data-subscription="S1"] [data-available]`); got != "2" {
		t.Fatalf("S1 free seats %q, want 2", got)
	}
	shot("03-team")

	must("usage", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`a.button[href="/teams/T1/usage"]`))))
	if n := count(`tr[data-user][data-product]`); n != 7 {
		t.Errorf("usage details: %d rows, want 7", n)
	}
	shot("04-usage")

	must("download csv", chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		events := true
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: shots, EventsEnabled: &events})
		return err
	})))
	progress := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadProgress)
	must("download csv", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[download]`))))
	for ev, err := range progress {
		must("download", err)
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			break
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("download canceled")
		}
	}
	f, err := os.Open(filepath.Join(shots, testenv.Dates("usage-T1-2026-11-27.csv")))
	must("open downloaded csv", err)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 8 || recs[0][0] != "email" {
		t.Errorf("downloaded csv: %v %v", recs, err)
	}

	must("back to team", browsertest.PageTurn(ctx, chromedp.Navigate(s.srv.URL+"/teams/T1")))
	must("assign form", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`[data-subscription="S1"] a.button`))))
	must("choose", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[value="u7@acme.example"]`))))
	shot("05-assign")
	must("assign", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`form[method="post"][action="/teams/T1/assign"] button[type=submit]`))))
	if got := text(`[data-kind="under_assignment"][data-subscription="S1"] [data-available]`); got != "1" {
		t.Errorf("after assigning one user, S1 free seats %q, want 1", got)
	}
	for _, email := range []string{"u1@acme.example", "u5@acme.example"} {
		must("unassign "+email, browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`[data-kind="over_assignment"] [data-user="`+email+`"] button`))))
	}
	if n := count(`[data-kind="over_assignment"]`); n != 0 {
		t.Errorf("over-assignment still shown after unassigning its users")
	}
	if n := count(`tr[data-audit="unassign"]`); n != 2 {
		t.Errorf("audit list shows %d unassignments, want 2", n)
	}
	shot("06-team-after-changes")

	// The same page at 390 px and in the dark theme.
	must("narrow", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	shot("07-team-390px")
	must("dark", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	})))
	shot("08-team-dark")
	must("admins", browsertest.PageTurn(ctx, chromedp.Navigate(s.srv.URL+"/teams/T1/admins")))
	shot("09-admins")
	// The money pages, dark, then light at 1280 and 390 px.
	for _, page := range []string{"cost", "history"} {
		must(page, browsertest.PageTurn(ctx, chromedp.Navigate(s.srv.URL+"/teams/T1/"+page)))
		shot("11-" + page + "-dark")
	}
	must("light", chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}}})
		return err
	})))
	for _, page := range []string{"cost", "history"} {
		must(page, browsertest.PageTurn(ctx, chromedp.Navigate(s.srv.URL+"/teams/T1/"+page)))
		shot("12-" + page)
		if n := count(`[data-department], svg.chart`); n == 0 {
			t.Errorf("%s page shows no rows and no chart", page)
		}
	}
	must("narrow", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	for _, page := range []string{"cost", "history"} {
		must(page, browsertest.PageTurn(ctx, chromedp.Navigate(s.srv.URL+"/teams/T1/"+page)))
		shot("13-" + page + "-390px")
	}
	must("wide", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)))

	// Keyboard: the first Tab reaches the skip link, which is then shown.
	must("keyboard", chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+"/teams/T1"), chromedp.WaitVisible(chromedp.CSS("main"))))
	must("tab", chromedp.Do(ctx, chromedp.KeyEvent("\t")))
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.activeElement.className")); got != "skip" {
		t.Errorf("first Tab focuses %q, want the skip link", got)
	}

	must("sign out", browsertest.PageTurn(ctx, chromedp.Click(chromedp.CSS(`form[action="/signout"] button`))))
	if loc := location(); loc != "/signin" {
		t.Errorf("after sign-out at %s", loc)
	}
	shot("10-signed-out")
	must("after sign-out", browsertest.PageTurn(ctx, chromedp.Navigate(s.srv.URL+"/teams/T1")))
	if loc := location(); loc != "/signin" {
		t.Errorf("a signed-out browser reaches %s", loc)
	}
	t.Logf("screenshots in %s", shots)
}

// TestOIDCSignInChromium signs in with the identity provider in a real
// browser: the provider is another site (localhost against 127.0.0.1), so
// the SameSite rules of the flow's and the session's cookies are the
// browser's own.
func TestOIDCSignInChromium(t *testing.T) {
	testenv.Short(t, "starts a browser")
	s, p, _ := ssoSiteAt(t, storetest.SQLiteDSN(t), "localhost")
	p.user(opUser{Sub: "u-alice", Email: "alice@acme.example", Verified: true, Groups: []string{"tl-t1-secondary"}})
	p.loginPage = true
	bctx := browsertest.Chromium(t)
	ctx, cancel := context.WithTimeout(bctx, time.Minute)
	defer cancel()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("open /signin", chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+"/signin"), chromedp.WaitVisible(chromedp.ID("signin-oidc"))))
	must("sign in with the provider", chromedp.Do(ctx, chromedp.Click(chromedp.ID("signin-oidc"))))
	must("the provider's login page", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("login")), chromedp.Click(chromedp.ID("login"))))
	// Back from the provider, the signed-in page moves on to /teams.
	must("teams", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`a[href="/teams/T1"]`))))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must("location", err)
	if loc != s.srv.URL+"/teams" {
		t.Errorf("after signing in at %s, want /teams", loc)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".who")))
	must("who", err)
	if !strings.Contains(who, "alice@acme.example") {
		t.Errorf("signed in as %q", who)
	}
}
