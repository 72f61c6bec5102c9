package install

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"teamlens/installer/internal/servicectl"
	"teamlens/shared/config"
)

// installed returns the configuration of the install on this machine, or
// one made of the layout's defaults when there is none.
func (in *Installer) installed(l Layout) (config.Config, bool, error) {
	e, ok, err := loadConfig(l.ConfigFile)
	if err != nil {
		return config.Config{}, false, err
	}
	return merge(e, Options{}, l).Config, ok, nil
}

// Uninstall stops and removes the service. purge also removes the data,
// the spool, the configuration and the binaries. Nothing installed is not
// an error.
func (in *Installer) Uninstall(ctx context.Context, purge bool) error {
	if err := requireAdmin(); err != nil {
		return err
	}
	l := in.layout()
	c, hadConfig, err := in.installed(l)
	if err != nil && !purge {
		return err
	}
	m, err := in.service(l, c)
	if err != nil {
		return err
	}
	st, err := m.Status()
	if err != nil {
		in.log().Warn("service status", "err", err)
	}
	if err := m.Stop(); err != nil {
		return err
	}
	if err := m.Uninstall(); err != nil {
		return err
	}
	// The programs go either way; the configuration and the data (device
	// token, consent) stay unless purged, so a reinstall carries on.
	paths := append([]string{l.agentPath(), l.installerPath(), c.Socket}, l.viewerFiles()...)
	if purge {
		paths = append(paths, c.DataDir, c.SpoolDir, l.ConfigFile)
	}
	var errs []error
	for _, p := range paths {
		if err := removeAll(p); err != nil {
			errs = append(errs, err)
		}
	}
	// Directories the install made are removed when nothing else is left
	// in them (an admin's file in /etc/teamlens stays).
	for _, d := range []string{filepath.Dir(l.ConfigFile), l.LibDir, filepath.Dir(c.Socket)} {
		_ = os.Remove(d)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	switch {
	case st == servicectl.NotInstalled && !hadConfig:
		in.say("teamlens agent is not installed")
	case purge:
		in.say("teamlens agent removed with its data and configuration")
	default:
		in.say("teamlens agent removed; configuration and data kept in %s and %s (uninstall --purge removes them)", l.ConfigFile, c.DataDir)
	}
	return nil
}

// removeAll refuses the paths that a mistyped configuration could turn
// into a disaster ("/", "/var").
func removeAll(p string) error {
	p = filepath.Clean(p)
	if !filepath.IsAbs(p) || len(strings.Split(strings.Trim(filepath.ToSlash(p), "/"), "/")) < 2 {
		return fmt.Errorf("refusing to remove %q: not a path the installer made", p)
	}
	if err := os.RemoveAll(p); err != nil {
		// Go's RemoveAll on Windows deletes through a file information
		// class that Wine lacks ("Invalid function"); one os.Remove per
		// entry, deepest first, works there as everywhere.
		if err2 := removeEach(p); err2 != nil {
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	return nil
}

func removeEach(root string) error {
	var paths []string
	err := filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, path)
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(paths) - 1; i >= 0; i-- {
		if err := os.Remove(paths[i]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Report is what "installer status" says.
type Report struct {
	Installed bool
	State     servicectl.State
	Platform  string
	Socket    string
	// HealthErr is nil when the agent answered on its socket.
	HealthErr error
	Collector string
	// CollectorErr is nil when the collector answered /healthz.
	CollectorErr error
	AgentPID     int
	// Viewer is the installed My Insights viewer, "" when there is none.
	Viewer string
}

// OK is true when the service is installed, running and answering.
func (r Report) OK() bool { return r.Installed && r.State == servicectl.Running && r.HealthErr == nil }

// String is the one human line of "installer status".
func (r Report) String() string {
	if !r.Installed {
		return "teamlens agent: not installed"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "teamlens agent: %s (%s)", r.State, r.Platform)
	if r.AgentPID > 0 {
		fmt.Fprintf(&b, ", pid %d", r.AgentPID)
	}
	if r.State == servicectl.Running {
		if r.HealthErr == nil {
			fmt.Fprintf(&b, ", answering on %s", r.Socket)
		} else {
			fmt.Fprintf(&b, ", not answering on %s: %v", r.Socket, r.HealthErr)
		}
	}
	switch {
	case r.Collector == "":
	case r.CollectorErr == nil:
		fmt.Fprintf(&b, "; collector %s reachable", r.Collector)
	default:
		fmt.Fprintf(&b, "; collector %s NOT reachable (%v), the agent keeps retrying", r.Collector, r.CollectorErr)
	}
	if r.Viewer != "" {
		fmt.Fprintf(&b, "; My Insights viewer installed (%s)", r.Viewer)
	} else {
		b.WriteString("; My Insights viewer not installed")
	}
	return b.String()
}

// Status inspects the install. It needs no privileges, but without them
// the configuration (0600) is unreadable and the defaults stand in.
func (in *Installer) Status(ctx context.Context) (Report, error) {
	l := in.layout()
	c, _, err := in.installed(l)
	if err != nil && !errors.Is(err, os.ErrPermission) {
		return Report{}, err
	}
	m, err := in.service(l, c)
	if err != nil {
		return Report{}, err
	}
	st, err := m.Status()
	if err != nil {
		return Report{}, err
	}
	r := Report{
		Installed: st != servicectl.NotInstalled,
		State:     st,
		Platform:  m.Platform(),
		Socket:    c.Socket,
		Collector: c.Collector,
		AgentPID:  m.AgentPID(),
		HealthErr: errNotInstalled,
		Viewer:    installedViewer(l),
	}
	if st == servicectl.Running {
		r.HealthErr = health(ctx, c.Socket)
	}
	if r.Installed && c.Collector != "" {
		r.CollectorErr = probeCollector(ctx, c.Collector)
	}
	return r, nil
}
