package main

import (
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/internal/testenv"
	"teamlens/viewer/internal/agenttest"
)

// TestScreenshot opens the real viewer window on a real agent holding a
// year of journals, on an X display of its own (a fresh Xvfb, or DISPLAY
// where Xvfb is not installed), takes a screenshot of the screen in the light and the dark theme and
// checks each shows a drawn window, not a blank screen. SCREENSHOT_DIR
// names a directory to keep the PNGs in. Every tab and dialog at both
// window sizes is captured by internal/ui's TestScreens.
func TestScreenshot(t *testing.T) {
	display := testenv.Display(t)
	for _, tool := range []string{"import", "xwininfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "%s not installed", tool)
		}
	}
	agent := agenttest.Start(t, agenttest.Options{Consent: true})
	sessions := agenttest.Year(time.Now())
	agent.Write(t, sessions)
	agent.WaitDays(t, len(sessions))

	bin := testenv.Build(t, ".")
	for _, theme := range []string{"light", "dark"} {
		t.Run(theme, func(t *testing.T) { shoot(t, bin, agent.Socket, display, theme) })
	}
}

// shoot runs the viewer in theme (FYNE_THEME, as a user's desktop setting
// would choose it) and takes screenshots until one shows the window drawn.
func shoot(t *testing.T, bin, socket, display, theme string) {
	viewer := exec.Command(bin, "--socket", socket)
	viewer.Env = append(os.Environ(), "DISPLAY="+display, "FYNE_THEME="+theme)
	viewer.Stderr = os.Stderr
	started := time.Now()
	if err := viewer.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		viewer.Process.Kill()
		viewer.Wait()
	}()
	waitFor(t, "the viewer window to be mapped", func() bool {
		out, _ := exec.Command("xwininfo", "-display", display, "-root", "-tree").Output()
		return strings.Contains(string(out), "My Insights")
	})
	t.Logf("window mapped %v after start", time.Since(started).Round(time.Millisecond))

	shot := filepath.Join(t.TempDir(), "shot.png")
	var colours, bars int
	// The first frames may still be loading: take shots until one shows
	// the window drawn with its chart's bars (solid blocks of the first
	// product colour) and its text.
	waitFor(t, "a drawn window with the usage chart", func() bool {
		if out, err := exec.Command("import", "-display", display, "-window", "root", shot).CombinedOutput(); err != nil {
			t.Logf("import: %v %s", err, out)
			return false
		}
		var err error
		colours, bars, err = inspect(shot)
		if err != nil {
			t.Logf("read screenshot: %v", err)
			return false
		}
		return colours > 200 && bars > 200
	})
	t.Logf("screenshot has %d distinct colours and %d chart samples, %v after the viewer started", colours, bars, time.Since(started).Round(time.Millisecond))
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		b, err := os.ReadFile(shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "window-"+theme+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// inspect counts the distinct colours of a screenshot and the samples of
// the chart's first product colour (#2f6fde).
func inspect(path string) (colours, bars int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, 0, fmt.Errorf("decode: %w", err)
	}
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if r>>8 == 0x2f && g>>8 == 0x6f && bl>>8 == 0xde {
				bars++
			}
		}
	}
	return len(seen), bars, nil
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testenv.Eventually(t, 60*time.Second, what, func() error {
		if !cond() {
			return errors.New("not yet")
		}
		return nil
	})
}
