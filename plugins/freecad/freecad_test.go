// Package freecad_test proves the FreeCAD add-on end to end: real FreeCAD
// (Debian's freecad), the add-on installed in a user's Mod folder, the
// real agent reading the spool, My Insights over the agent's socket.
package freecad_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/internal/testenv"
	"teamlens/shared/localclient"
)

// headless drives freecadcmd: no GUI, so no GUI commands.
const headless = `
import FreeCAD, os
d = FreeCAD.newDocument("t")
d.addObject("Part::Box", "Box")
d.recompute()
p = os.path.join(os.environ["TL_WORK"], "headless.FCStd")
d.saveAs(p)
FreeCAD.closeDocument(d.Name)
d = FreeCAD.openDocument(p)
d.save()
FreeCAD.closeDocument(d.Name)
`

// gui drives FreeCAD's window the way a user's clicks do: each command
// through its toolbar/menu action, one through Gui.runCommand.
const gui = `
import FreeCAD, FreeCADGui, os, sys
from PySide import QtGui, QtCore
def run():
    try:
        mw = FreeCADGui.getMainWindow()
        FreeCADGui.activateWorkbench("PartWorkbench")
        def trigger(name):
            for a in mw.findChildren(QtGui.QAction):
                if a.objectName() == name:
                    a.trigger()
                    return
            raise RuntimeError("no action " + name)
        trigger("Std_New")
        QtGui.QApplication.processEvents()
        trigger("Part_Box")
        trigger("Std_ViewFitAll")
        FreeCADGui.runCommand("Std_ViewIsometric")
        d = FreeCAD.ActiveDocument
        d.recompute()
        p = os.path.join(os.environ["TL_WORK"], "gui.FCStd")
        d.saveAs(p)
        FreeCAD.closeDocument(d.Name)
        d = FreeCAD.openDocument(p)
        d.save()
        FreeCAD.closeDocument(d.Name)
        open(os.path.join(os.environ["TL_WORK"], "gui.done"), "w").close()
    finally:
        QtGui.QApplication.instance().quit()
QtCore.QTimer.singleShot(500, run)
`

type rig struct {
	dir, agent, data, spool, socket, config, home, work string
	display                                             string // the X display FreeCAD's GUI runs on
}

func newRig(t *testing.T) *rig {
	t.Helper()
	dir := t.TempDir()
	r := &rig{dir: dir, agent: filepath.Join(dir, "agent"), data: filepath.Join(dir, "data"), spool: filepath.Join(dir, "spool"),
		socket: filepath.Join(dir, "agent.sock"), config: filepath.Join(dir, "agent.toml"), home: filepath.Join(dir, "home"),
		work: filepath.Join(dir, "work")}
	for _, d := range []string{r.spool, r.home, r.work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Only FreeCAD's journal is a source: no process of another test counts.
	if err := os.WriteFile(r.config, []byte("process_scan = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("go", "build", "-o", r.agent, "teamlens/agent").CombinedOutput(); err != nil {
		t.Fatalf("build agent: %v\n%s", err, out)
	}
	// Install the add-on where FreeCAD 0.20 looks for a user's add-ons.
	mod := filepath.Join(r.home, ".local", "share", "FreeCAD", "Mod", "Teamlens")
	if err := os.CopyFS(mod, os.DirFS("Teamlens")); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) run(t *testing.T, args ...string) []byte {
	t.Helper()
	args = append(args[:1:1], append([]string{"--data-dir", r.data}, args[1:]...)...)
	out, err := exec.Command(r.agent, args...).Output()
	if err != nil {
		t.Fatalf("agent %v: %v", args, err)
	}
	return out
}

func (r *rig) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(r.agent, "run", "--config", r.config, "--data-dir", r.data, "--spool-dir", r.spool, "--socket", r.socket)
	cmd.Stderr = &testenv.Buffer{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	testenv.Eventually(t, 20*time.Second, "the agent's socket", func() error {
		return localclient.NewClient(r.socket).Health(context.Background())
	})
}

// freecad runs a FreeCAD program with the add-on installed and the spool
// pointed at the agent's.
func (r *rig) freecad(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = r.work
	cmd.Env = append(os.Environ(), "HOME="+r.home, "TEAMLENS_SPOOL="+r.spool, "TL_WORK="+r.work,
		// FreeCAD's start page is a web view, whose sandbox refuses root.
		"QTWEBENGINE_DISABLE_SANDBOX=1")
	if r.display != "" {
		cmd.Env = append(cmd.Env, "DISPLAY="+r.display)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, tail(out))
	}
}

func tail(b []byte) []byte {
	if len(b) > 4000 {
		return b[len(b)-4000:]
	}
	return b
}

// sessions waits for want FreeCAD events and returns them by session,
// each as its "type[:NAME]" list.
func (r *rig) sessions(t *testing.T, want int) map[string][]string {
	t.Helper()
	var out map[string][]string
	testenv.Eventually(t, 30*time.Second, "FreeCAD events stored", func() error {
		var x struct {
			Events []map[string]any `json:"events"`
		}
		if err := json.Unmarshal(r.run(t, "export"), &x); err != nil {
			return err
		}
		out = map[string][]string{}
		n := 0
		for _, ev := range x.Events {
			if ev["product"] != "FreeCAD" || ev["version"] != "0.20.2" {
				return fmt.Errorf("event of another product or version: %v", ev)
			}
			s := ev["type"].(string)
			if name, ok := ev["name"].(string); ok {
				s += ":" + name + ":" + ev["outcome"].(string)
			}
			if s == "document.open" || s == "document.save" {
				if ev["size_bytes"].(float64) < 1000 {
					return fmt.Errorf("document of %v bytes: %v", ev["size_bytes"], ev)
				}
			}
			id := ev["session"].(string)
			out[id] = append(out[id], s)
			n++
		}
		if n != want {
			return fmt.Errorf("%d events, want %d: %v", n, want, out)
		}
		return nil
	})
	return out
}

func TestFreeCADAddOn(t *testing.T) {
	for _, bin := range []string{"freecadcmd", "freecad"} {
		if _, err := exec.LookPath(bin); err != nil {
			testenv.Missing(t, "%s is not installed (scripts/deps.sh test installs freecad and xvfb)", bin)
		}
	}
	// The GUI runs on an X server of its own.
	r := newRig(t)
	r.display = testenv.Display(t)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	r.run(t, "consent", "--user", me.Username, "on")
	r.start(t)

	r.freecad(t, "freecadcmd", "-c", headless)
	got := r.sessions(t, 5)
	want := "session.start document.save document.open document.save session.end"
	if len(got) != 1 {
		t.Fatalf("sessions %v, want one", got)
	}
	for _, evs := range got {
		if strings.Join(evs, " ") != want {
			t.Fatalf("headless session %v, want %s", evs, want)
		}
	}

	script := filepath.Join(r.work, "gui.py")
	if err := os.WriteFile(script, []byte(gui), 0o644); err != nil {
		t.Fatal(err)
	}
	r.freecad(t, "freecad", script)
	if _, err := os.Stat(filepath.Join(r.work, "gui.done")); err != nil {
		t.Fatal("the GUI script did not finish")
	}
	got = r.sessions(t, 14)
	wantGUI := "session.start command:STD_NEW:completed command:PART_BOX:completed command:STD_VIEWFITALL:completed " +
		"command:STD_VIEWISOMETRIC:completed document.save document.open document.save session.end"
	found := false
	for _, evs := range got {
		if strings.Join(evs, " ") == wantGUI {
			found = true
		}
	}
	if len(got) != 2 || !found {
		t.Fatalf("sessions %v, want the headless one and %s", got, wantGUI)
	}

	// My Insights, through the agent's socket as the viewer reads it.
	ctx := context.Background()
	c := localclient.NewClient(r.socket)
	ov, err := c.Overview(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Products) != 1 || ov.Products[0].Name != "FreeCAD" || ov.Products[0].Sessions != 2 || !ov.Products[0].Insights {
		t.Errorf("overview %+v: want FreeCAD, 2 sessions, with insights", ov.Products)
	}
	cmds, err := c.Commands(ctx, "FreeCAD", 7)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, cc := range cmds.Top {
		if cc.Count != 1 {
			t.Errorf("command %+v: want once", cc)
		}
		byName[cc.Name] = cc.Category
	}
	if cmds.Total != 4 || byName["PART_BOX"] != "Part" || byName["STD_NEW"] != "Files" || byName["STD_VIEWFITALL"] != "View" {
		t.Errorf("My Insights commands %+v", cmds)
	}
	perf, err := c.Performance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var fc *localclient.ProductPerformance
	for i := range perf.Products {
		if perf.Products[i].Name == "FreeCAD" {
			fc = &perf.Products[i]
		}
	}
	if fc == nil || fc.Startup == nil || fc.Startup.Count != 2 || fc.Open == nil || fc.Open.Count != 2 || fc.Save == nil || fc.Save.Count != 4 {
		t.Errorf("My Insights performance %+v", fc)
	}
}
