package ui_test

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"teamlens/viewer/internal/agenttest"
	"teamlens/viewer/internal/ui"
)

// The tests drive the window against the real agent (built from source,
// run on temporary directories) holding journals written by the journal
// Writer. UI_SNAPSHOT_DIR keeps a PNG of each screen tested.

const (
	tabOverview = iota
	tabPerformance
	tabCommands
	tabDrawings
	tabPrivacy
)

var (
	yearOnce     sync.Once
	yearAgent    *agenttest.Agent
	yearCleanups []func()
)

// year is one agent with a year of journals, shared by the tests that only
// read. It lives until the process ends.
func year(t *testing.T) *agenttest.Agent {
	t.Helper()
	yearOnce.Do(func() {
		a := agenttest.Start(holder{t}, agenttest.Options{Consent: true})
		sessions := agenttest.Year(time.Now())
		a.Write(t, sessions)
		a.WaitDays(t, len(sessions))
		yearAgent = a
	})
	if yearAgent == nil {
		t.Fatal("the shared agent did not start")
	}
	return yearAgent
}

// holder keeps the shared agent alive past the test that started it: its
// cleanups run when every test is done.
type holder struct {
	*testing.T
}

func (holder) Cleanup(f func()) { yearCleanups = append(yearCleanups, f) }

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(yearCleanups) - 1; i >= 0; i-- {
		yearCleanups[i]()
	}
	os.Exit(code)
}

func open(t *testing.T, a *agenttest.Agent) (*ui.Viewer, fyne.Window) {
	t.Helper()
	return openWith(t, a, fyne.NewSize(1040, 760), nil)
}

// openWith opens the window at size in theme th (nil: Fyne's test theme).
func openWith(t *testing.T, a *agenttest.Agent, size fyne.Size, th fyne.Theme) (*ui.Viewer, fyne.Window) {
	t.Helper()
	app := test.NewTempApp(t)
	if th != nil {
		app.Settings().SetTheme(th)
	}
	w := app.NewWindow("My Insights")
	w.Resize(size)
	ctx, cancel := context.WithCancel(context.Background())
	v := ui.New(ctx, w, a.Client, ui.Options{Socket: a.Socket})
	t.Cleanup(func() {
		v.Wait()
		cancel()
		w.Close()
	})
	v.Reload()
	v.Wait()
	return v, w
}

// shown lists the objects the window shows, dialogs included: hidden
// objects and everything under them are left out.
func shown(w fyne.Window) []fyne.CanvasObject {
	roots := append([]fyne.CanvasObject{w.Canvas().Content()}, w.Canvas().Overlays().List()...)
	var out []fyne.CanvasObject
	seen := map[fyne.CanvasObject]bool{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || seen[o] {
			return
		}
		seen[o] = true
		out = append(out, o)
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	for _, r := range roots {
		test.LaidOutObjects(r) // lays lists and charts out, so their rows exist
		walk(r)
	}
	return out
}

// texts lists every text the window shows, dialogs included.
func texts(w fyne.Window) []string {
	var out []string
	for _, o := range shown(w) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *widget.Check:
			out = append(out, x.Text)
		case *widget.Card:
			out = append(out, x.Title)
		}
	}
	return out
}

func has(w fyne.Window, sub string) bool {
	for _, s := range texts(w) {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func mustHave(t *testing.T, w fyne.Window, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !has(w, s) {
			t.Errorf("window does not show %q; it shows %q", s, texts(w))
		}
	}
}

func find[T fyne.CanvasObject](w fyne.Window, match func(T) bool) T {
	for _, o := range shown(w) {
		if x, ok := o.(T); ok && match(x) {
			return x
		}
	}
	var zero T
	return zero
}

func button(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	b := find(w, func(b *widget.Button) bool { return b.Text == text })
	if b == nil {
		t.Fatalf("no button %q among %q", text, texts(w))
	}
	return b
}

func snapshot(t *testing.T, w fyne.Window, name string) {
	t.Helper()
	dir := os.Getenv("UI_SNAPSHOT_DIR")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

func selectTab(v *ui.Viewer, i int) { v.Do(func() { v.Tabs().SelectIndex(i) }) }
