package ui_test

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"teamlens/internal/testenv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"teamlens/viewer/internal/agenttest"
	"teamlens/viewer/internal/ui"
)

// variantTheme is Fyne's own theme held to one variant, as a user's
// desktop setting would hold it.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// screen is one state of the window to capture: how to get there from a
// freshly opened window.
type screen struct {
	name string
	show func(t *testing.T, v *ui.Viewer, w fyne.Window)
}

func tab(i int) func(*testing.T, *ui.Viewer, fyne.Window) {
	return func(_ *testing.T, v *ui.Viewer, _ fyne.Window) { selectTab(v, i) }
}

var tabScreens = []screen{
	{"overview", tab(tabOverview)},
	{"performance", tab(tabPerformance)},
	{"commands", tab(tabCommands)},
	{"drawings", tab(tabDrawings)},
	{"privacy", tab(tabPrivacy)},
}

func myData(raw bool) func(*testing.T, *ui.Viewer, fyne.Window) {
	return func(t *testing.T, v *ui.Viewer, w fyne.Window) {
		selectTab(v, tabPrivacy)
		v.Do(func() { test.Tap(button(t, w, "Show my data")) })
		v.Wait()
		if !raw {
			return
		}
		tabs := find(w, func(t *container.AppTabs) bool { return len(t.Items) == 2 })
		v.Do(func() { tabs.SelectIndex(1) })
		if list := find(w, func(l *widget.List) bool { return true }); list != nil {
			v.Do(func() { list.Select(2) })
		}
	}
}

// end shows tab i scrolled to its end.
func end(i int) func(*testing.T, *ui.Viewer, fyne.Window) {
	return func(_ *testing.T, v *ui.Viewer, w fyne.Window) {
		selectTab(v, i)
		if s := find(w, func(*container.Scroll) bool { return true }); s != nil {
			v.Do(s.ScrollToBottom)
		}
	}
}

func optOutDialog(t *testing.T, v *ui.Viewer, w fyne.Window) {
	selectTab(v, tabPrivacy)
	v.Do(func() { test.Tap(consentCheck(t, w)) })
}

func deleteDialog(t *testing.T, v *ui.Viewer, w fyne.Window) {
	selectTab(v, tabPrivacy)
	v.Do(func() { test.Tap(button(t, w, "Delete my data…")) })
}

// TestScreens captures every tab and dialog, in the light and the dark
// theme, at 1040x760 and 800x600, with data and in each empty or error
// state, and checks each capture is a drawn window. UI_SNAPSHOT_DIR keeps
// the PNGs (docs/screens.md says how the contact sheet is made of them).
func TestScreens(t *testing.T) {
	testenv.Short(t, "captures a hundred screens")
	if raceEnabled {
		// The loads and events it drives are the other tests' too; under
		// the race detector the hundred renders alone outlast the suite.
		t.Skip("captures a hundred screens: run without -race (make screens)")
	}
	dir := os.Getenv("UI_SNAPSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	states := []struct {
		name    string
		agent   func(t *testing.T) *agenttest.Agent
		screens []screen
	}{
		{"data", func(t *testing.T) *agenttest.Agent {
			a := year(t)
			a.SetBenchmarks(t, fmt.Sprintf(`{"fetched_at":%q,"products":{"AutoCAD":{"product":"AutoCAD","from":"2026-08-23","to":"2026-11-20",
				"startup":{"users":14,"p25":3900,"p50":4200,"p75":4400},"open":{"users":11,"p25":600,"p50":640,"p75":660},
				"save":{"users":9,"p25":200,"p50":300,"p75":400}}}}`, time.Now().UTC().Format(time.RFC3339)))
			t.Cleanup(func() { a.SetBenchmarks(t, "") })
			return a
		}, append(append([]screen{}, tabScreens...),
			screen{"performance-end", end(tabPerformance)}, screen{"commands-end", end(tabCommands)},
			screen{"privacy-end", end(tabPrivacy)},
			screen{"mydata-summaries", myData(false)}, screen{"mydata-raw", myData(true)},
			screen{"optout", optOutDialog}, screen{"delete", deleteDialog})},
		{"off", func(t *testing.T) *agenttest.Agent { return agenttest.Start(t, agenttest.Options{}) }, tabScreens},
		{"on-nodata", func(t *testing.T) *agenttest.Agent { return agenttest.Start(t, agenttest.Options{Consent: true}) },
			append(append([]screen{}, tabScreens[:4]...), screen{"mydata", myData(true)})},
		{"locked", func(t *testing.T) *agenttest.Agent {
			return agenttest.Start(t, agenttest.Options{AnalyticsDisabled: true})
		}, []screen{{"privacy", tab(tabPrivacy)}, {"commands", tab(tabCommands)}}},
		{"down", func(t *testing.T) *agenttest.Agent {
			a := &agenttest.Agent{}
			*a = *agenttest.Start(t, agenttest.Options{})
			dead := filepath.Join(t.TempDir(), "none.sock")
			a.Client, a.Socket = agenttestClient(dead), dead
			return a
		}, []screen{{"window", tab(tabOverview)}}},
	}
	sizes := []fyne.Size{fyne.NewSize(1040, 760), fyne.NewSize(800, 600)}
	themes := []struct {
		name    string
		variant fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}}
	n := 0
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			a := st.agent(t)
			// One window per theme and size shows every screen in turn:
			// tabs first, then each dialog, closed before the next.
			for _, th := range themes {
				for _, size := range sizes {
					v, w := openWith(t, a, size, variantTheme{theme.DefaultTheme(), th.variant})
					for _, sc := range st.screens {
						name := fmt.Sprintf("%s-%s-%s-%.0fx%.0f", st.name, sc.name, th.name, size.Width, size.Height)
						sc.show(t, v, w)
						v.Wait()
						v.Do(func() {}) // lays the window out as a frame would
						capture(t, w, filepath.Join(dir, name+".png"), size)
						n++
						for o := w.Canvas().Overlays().Top(); o != nil; o = w.Canvas().Overlays().Top() {
							v.Do(o.Hide)
						}
					}
				}
			}
		})
	}
	t.Logf("%d screens captured in %s", n, dir)
}

// capture writes the window's image to path and checks it is the window's
// size and drawn: more than a handful of colours.
func capture(t *testing.T, w fyne.Window, path string, size fyne.Size) {
	t.Helper()
	img := w.Canvas().Capture()
	if b := img.Bounds(); b.Dx() != int(size.Width) || b.Dy() != int(size.Height) {
		t.Errorf("%s: captured %v, want %v", filepath.Base(path), b.Size(), size)
	}
	if c := colours(img); c < 20 {
		t.Errorf("%s: only %d colours: a blank window?", filepath.Base(path), c)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func colours(img image.Image) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}] = true
		}
	}
	return len(seen)
}
