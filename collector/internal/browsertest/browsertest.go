// Package browsertest starts Debian's headless Chromium for the console's
// browser tests and turns their pages. Only tests import it.
package browsertest

import (
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"teamlens/internal/testenv"
)

// Chromium starts a headless Chromium, with a profile of its own, that
// ends with the test; a machine without it is testenv.Missing.
func Chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		testenv.Missing(t, "needs chromium (scripts/deps.sh test installs it)")
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800))
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// PageTurn runs act (a click that submits or follows a link) and waits
// until a new document has loaded.
func PageTurn(ctx context.Context, act chromedp.Action[chromedp.Void]) error {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("window.__old = true")); err != nil {
		return err
	}
	if err := chromedp.Do(ctx, act); err != nil {
		return err
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("window.__old === undefined && document.readyState === 'complete'"))
		if err == nil && done {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("no new page loaded")
}
