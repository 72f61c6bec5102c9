// Package install puts the agent on a machine as an OS service, upgrades it
// in place, reports on it and removes it.
package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"teamlens/installer/internal/servicectl"

	"teamlens/shared/config"
)

// ErrNotAdmin is returned by every command that changes the machine when
// the installer does not run as root (or an elevated administrator).
var ErrNotAdmin = errors.New("the installer must run as root (or an elevated administrator)")

// Options are the flags of "installer install". Empty strings and a nil
// SeatUsage mean "not given": an upgrade then keeps the installed value.
type Options struct {
	Collector    string
	EnrollSecret string
	AgentBinary  string
	DataDir      string
	SpoolDir     string
	Analytics    string
	SeatUsage    *bool
	// InstallerBinary, when set, is copied next to the agent so that
	// "installer uninstall" stays available.
	InstallerBinary string
	// ViewerBinary is the My Insights viewer to install with its menu
	// entry; default "viewer" next to the installer, skipped when there is
	// none. NoViewer skips it (a package that ships it itself).
	ViewerBinary string
	NoViewer     bool
}

// Validate checks the flags before anything is touched.
func (o Options) Validate() error {
	if o.Collector == "" {
		return errors.New("--collector is required")
	}
	if config.CheckCollector(o.Collector) != nil {
		return fmt.Errorf("--collector %q: want an http:// or https:// URL", o.Collector)
	}
	if o.EnrollSecret == "" {
		return errors.New("--enroll-secret is required")
	}
	if strings.ContainsAny(o.EnrollSecret, " \t\r\n") {
		return errors.New("--enroll-secret must not contain white space")
	}
	if o.Analytics != "" {
		if err := config.CheckAnalytics(o.Analytics); err != nil {
			return fmt.Errorf("--%w", err)
		}
	}
	for flag, p := range map[string]string{"--data-dir": o.DataDir, "--spool-dir": o.SpoolDir, "--agent-binary": o.AgentBinary, "--viewer-binary": o.ViewerBinary} {
		if p != "" && !filepath.IsAbs(p) {
			return fmt.Errorf("%s %q: want an absolute path", flag, p)
		}
	}
	return nil
}

// Installer runs the commands. Its zero value installs for real; Layout
// and the timeouts are seams for tests.
type Installer struct {
	Layout Layout
	Log    *slog.Logger
	// Out receives the human lines ("installed and running"); nil is silent.
	Out io.Writer
	// HealthTimeout bounds the wait for the agent to answer; default 30s.
	HealthTimeout time.Duration
}

func (in *Installer) layout() Layout { return in.Layout.withDefaults() }

func (in *Installer) log() *slog.Logger {
	if in.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return in.Log
}

func (in *Installer) say(format string, args ...any) {
	if in.Out != nil {
		fmt.Fprintf(in.Out, format+"\n", args...)
	}
}

func (in *Installer) healthTimeout() time.Duration {
	if in.HealthTimeout <= 0 {
		return 30 * time.Second
	}
	return in.HealthTimeout
}

func (in *Installer) service(l Layout, c config.Config) (*servicectl.Manager, error) {
	return servicectl.New(servicectl.Def{
		Name:       l.ServiceName,
		Executable: l.agentPath(),
		Args:       serviceArgs(l.ConfigFile),
		LogFile:    filepath.Join(c.DataDir, "agent.log"),
		RuntimeDir: filepath.Dir(c.Socket),
	})
}

// serviceArgs is the agent's command line under the service manager. On
// Windows it says --service, so the agent talks to the service control
// manager without guessing whether it was started by it.
func serviceArgs(configFile string) []string {
	if runtime.GOOS == "windows" {
		return []string{"run", "--service", "--config", configFile}
	}
	return []string{"run", "--config", configFile}
}

// Result tells what an install did.
type Result struct {
	Upgrade bool
	Config  config.Config
	// CollectorErr is set when the collector did not answer: the install
	// stands, the agent keeps retrying.
	CollectorErr error
	// Viewer is where the My Insights viewer was installed, "" if not.
	Viewer string
}

// Install installs or upgrades the agent and returns once it answers on
// its socket. On failure it puts back what was there before.
func (in *Installer) Install(ctx context.Context, o Options) (Result, error) {
	var res Result
	if err := o.Validate(); err != nil {
		return res, err
	}
	if err := requireAdmin(); err != nil {
		return res, err
	}
	l := in.layout()
	e, upgrade, err := loadConfig(l.ConfigFile)
	if err != nil {
		return res, err
	}
	res.Upgrade = upgrade
	c := merge(e, o, l).Config
	res.Config = c
	if err := c.Validate(); err != nil {
		return res, err
	}
	if err := checkDirs(c); err != nil {
		return res, err
	}
	src, err := agentBinary(o.AgentBinary)
	if err != nil {
		return res, err
	}
	m, err := in.service(l, c)
	if err != nil {
		return res, err
	}

	var u undo
	defer func() {
		if err != nil {
			u.run(in.log())
		}
	}()
	if err = in.prepareDirs(&u, l, c); err != nil {
		return res, err
	}
	if upgrade {
		// Stopping first lets the agent commit its last transaction before
		// its binary and configuration change under it.
		if err = m.Stop(); err != nil {
			return res, err
		}
		u.add(func() error { return m.Start() })
	}
	if res.Viewer, err = placeFiles(&u, l, o, src, e); err != nil {
		return res, err
	}
	if err = m.Install(); err != nil {
		return res, err
	}
	u.add(func() error {
		if err := m.Stop(); err != nil {
			return err
		}
		if upgrade {
			// The previous definition is rewritten by the restored files'
			// next install; keep the service registered meanwhile.
			return nil
		}
		return m.Uninstall()
	})
	u.add(func() error {
		// Left by the start; removed only when empty.
		_ = os.Remove(filepath.Dir(c.Socket))
		return nil
	})
	if err = m.Start(); err != nil {
		return res, err
	}
	if err = waitHealthy(ctx, c.Socket, in.healthTimeout(), m.AgentPID); err != nil {
		err = fmt.Errorf("the agent did not answer on %s: %w%s", c.Socket, err, logTail(filepath.Join(c.DataDir, "agent.log")))
		return res, err
	}
	u.commit()
	res.CollectorErr = probeCollector(ctx, c.Collector)
	verb := "installed"
	if upgrade {
		verb = "upgraded"
	}
	in.say("teamlens agent %s and running (service %s on %s); answering on %s", verb, l.ServiceName, m.Platform(), c.Socket)
	return res, nil
}

// placeFiles puts the agent, the installer and the viewer in place and
// writes the configuration, each step undone if a later one fails.
func placeFiles(u *undo, l Layout, o Options, agentSrc string, e *config.Edit) (viewer string, err error) {
	if err := placeFile(u, agentSrc, l.agentPath(), 0o755); err != nil {
		return "", err
	}
	if o.InstallerBinary != "" {
		if err := placeFile(u, o.InstallerBinary, l.installerPath(), 0o755); err != nil {
			return "", err
		}
	}
	if viewer, err = placeViewer(u, l, o); err != nil {
		return "", err
	}
	return viewer, writeConfig(u, l.ConfigFile, e)
}

// merge lays the flags over the installed configuration (the edit keeps
// what an admin added to it, such as products) and fills the layout's
// defaults.
func merge(c *config.Edit, o Options, l Layout) *config.Edit {
	set := func(dst *string, v, def string) {
		if v != "" {
			*dst = v
		} else if *dst == "" {
			*dst = def
		}
	}
	set(&c.DataDir, o.DataDir, l.DataDir)
	set(&c.SpoolDir, o.SpoolDir, l.SpoolDir)
	set(&c.Socket, "", l.Socket)
	set(&c.Collector, o.Collector, "")
	set(&c.EnrollSecret, o.EnrollSecret, "")
	set(&c.Analytics, o.Analytics, config.AnalyticsUserChoice)
	if o.SeatUsage != nil {
		v := *o.SeatUsage
		c.SeatUsage = &v
	} else if c.SeatUsage == nil {
		v := true
		c.SeatUsage = &v
	}
	return c
}

// checkDirs refuses layouts that would expose private data or cannot work,
// before anything is written.
func checkDirs(c config.Config) error {
	data, spool := filepath.Clean(c.DataDir), filepath.Clean(c.SpoolDir)
	// On Windows the spool is %ProgramData%\Teamlens\spool: its own ACL lets
	// users in, and reaching it needs no right on the private folder above.
	if within(spool, data) && runtime.GOOS != "windows" {
		return fmt.Errorf("spool dir %s must not be inside the data dir %s: the data dir is private (0700) and every user must reach the spool", spool, data)
	}
	if within(data, spool) {
		return fmt.Errorf("data dir %s must not be inside the spool dir %s", data, spool)
	}
	return nil
}

func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// prepareDirs creates the directories with their modes and proves the data
// directory writable, so a read-only file system fails here, early.
func (in *Installer) prepareDirs(u *undo, l Layout, c config.Config) error {
	dirs := []struct {
		path string
		mode os.FileMode
		what string
	}{
		{c.DataDir, 0o700, "data dir"},
		{c.SpoolDir, 0o777 | os.ModeSticky, "spool dir"},
		{filepath.Dir(l.ConfigFile), 0o755, "config dir"},
		{l.LibDir, 0o755, "program dir"},
	}
	for _, d := range dirs {
		if err := mkdirAll(u, d.path, d.mode); err != nil {
			return fmt.Errorf("%s %s: %w", d.what, d.path, explain(err))
		}
		if err := setACL(d.path, d.what); err != nil {
			return fmt.Errorf("%s %s: %w", d.what, d.path, err)
		}
		if err := probeWritable(d.path); err != nil {
			return fmt.Errorf("%s %s: %w", d.what, d.path, explain(err))
		}
	}
	return nil
}

// mkdirAll creates path and its missing parents, remembering to remove the
// ones it created, and sets path's mode (chmod is not subject to umask; the
// sticky bit needs it too).
func mkdirAll(u *undo, path string, mode os.FileMode) error {
	var missing []string
	for p := path; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		p := missing[i]
		if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
		u.add(func() error { return os.RemoveAll(p) })
	}
	return os.Chmod(path, mode)
}

func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".installer-probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// explain turns the errors an admin meets into sentences.
func explain(err error) error {
	switch {
	case errors.Is(err, syscall.EROFS):
		return fmt.Errorf("it is on a read-only file system: %w", err)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("permission denied: %w", err)
	}
	return err
}

// agentBinary finds the agent to install: the flag, or "agent" next to the
// installer.
func agentBinary(flag string) (string, error) {
	p := flag
	if p == "" {
		self, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find the agent binary: %w", err)
		}
		p = filepath.Join(filepath.Dir(self), exe("agent"))
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("agent binary %s not found (use --agent-binary)", p)
	case err != nil:
		return "", fmt.Errorf("agent binary: %w", err)
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("agent binary %s is not a regular file", p)
	}
	return p, nil
}
