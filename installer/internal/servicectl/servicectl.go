// Package servicectl registers, starts, stops and inspects the agent's OS service
// through github.com/kardianos/service. It writes its own SysV init script
// and systemd unit so that the agent is restarted after a crash and its log
// lands in a file of the data directory (SysV) or the journal (systemd).
package servicectl

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kardianos/service"

	"teamlens/shared/config"
)

// State is what the service manager says about the service.
type State int

// States of the service.
const (
	NotInstalled State = iota
	Stopped
	Running
)

func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Stopped:
		return "stopped"
	}
	return "not installed"
}

// Def describes the service to register.
type Def struct {
	// Name is the service name; empty means config.ServiceName. Tests use their own.
	Name       string
	Executable string
	Args       []string
	// LogFile receives the agent's stdout and stderr under SysV init.
	LogFile string
	// RuntimeDir is created (0755) before each start: it holds the
	// socket and is on a tmpfs that a reboot empties.
	RuntimeDir string
}

// Manager controls one service.
type Manager struct {
	def      Def
	svc      service.Service
	platform string
}

// nop satisfies kardianos' Interface: the installer never runs the service
// itself, it only registers and controls it.
type nop struct{}

func (nop) Start(service.Service) error { return nil }
func (nop) Stop(service.Service) error  { return nil }

// New prepares a manager for def on the service system kardianos detects.
func New(def Def) (*Manager, error) {
	if def.Name == "" {
		def.Name = config.ServiceName
	}
	platform := service.ChosenSystem().String()
	opts := service.KeyValue{
		"SysvScript":    sysvScript(def),
		"SystemdScript": systemdUnit(def),
		// launchd and Windows: restart the agent when it dies. On Windows
		// the recovery action is to restart 5 s after each failure (the
		// SCM repeats the last action for every further failure), the
		// count starting anew after a day; the agent exits without
		// reporting itself stopped when it fails, which the SCM counts as
		// a failure (servicerun).
		"KeepAlive":              true,
		"RunAtLoad":              true,
		"OnFailure":              "restart",
		"OnFailureDelayDuration": "5s",
		"OnFailureResetPeriod":   24 * 60 * 60,
	}
	s, err := service.New(nop{}, &service.Config{
		Name:        def.Name,
		DisplayName: "Teamlens agent",
		Description: "Records CAD product usage and uploads daily summaries to the Teamlens collector.",
		Executable:  def.Executable,
		Arguments:   def.Args,
		Option:      opts,
	})
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", def.Name, err)
	}
	return &Manager{def: def, svc: s, platform: platform}, nil
}

// Platform names the service system in use, such as "unix-systemv".
func (m *Manager) Platform() string { return m.platform }

func (m *Manager) sysv() bool { return m.platform == "unix-systemv" }

func (m *Manager) initScript() string { return "/etc/init.d/" + m.def.Name }

// Install registers the service, replacing an earlier definition so that an
// upgrade also refreshes the init script or unit. It does not start it.
func (m *Manager) Install() error {
	if st, err := m.Status(); err == nil && st != NotInstalled {
		if err := m.svc.Uninstall(); err != nil {
			return fmt.Errorf("replace service %s: %w", m.def.Name, err)
		}
	}
	if err := m.svc.Install(); err != nil {
		return fmt.Errorf("install service %s: %w", m.def.Name, err)
	}
	return nil
}

// Uninstall removes the service definition; a missing one is not an error.
func (m *Manager) Uninstall() error {
	st, err := m.Status()
	if err != nil {
		return err
	}
	if st == NotInstalled {
		m.removeRCLinks()
		return nil
	}
	if err := m.svc.Uninstall(); err != nil {
		return fmt.Errorf("uninstall service %s: %w", m.def.Name, err)
	}
	m.removeRCLinks()
	return nil
}

// removeRCLinks deletes the runlevel links kardianos made for SysV and does
// not remove itself.
func (m *Manager) removeRCLinks() {
	if !m.sysv() {
		return
	}
	for _, lvl := range []string{"0", "1", "2", "3", "4", "5", "6", "S"} {
		links, _ := filepath.Glob(fmt.Sprintf("/etc/rc%s.d/[SK][0-9][0-9]%s", lvl, m.def.Name))
		for _, l := range links {
			_ = os.Remove(l)
		}
	}
}

// Start starts the service; starting a running service is not an error.
func (m *Manager) Start() error {
	if m.sysv() {
		return m.script("start")
	}
	if st, err := m.Status(); err == nil && st == Running {
		return nil
	}
	// Windows holds the service database locked while it starts its own
	// services at boot (as Wine does after its first boot): wait that out,
	// at most a minute.
	for tries := 0; ; tries++ {
		err := m.svc.Start()
		if err == nil {
			return nil
		}
		if !databaseLocked(err) || tries == 60 {
			return fmt.Errorf("start service %s: %w", m.def.Name, err)
		}
		time.Sleep(time.Second)
	}
}

// Stop stops the service and waits for the agent to exit; stopping a
// stopped or missing service is not an error.
func (m *Manager) Stop() error {
	st, err := m.Status()
	if err != nil {
		return err
	}
	if m.sysv() && st != NotInstalled {
		// Also when the agent is between two restarts: the supervisor
		// runs all the same, and the script's stop is idempotent.
		return m.script("stop")
	}
	if st != Running {
		return nil
	}
	if err := m.svc.Stop(); err != nil {
		return fmt.Errorf("stop service %s: %w", m.def.Name, err)
	}
	return nil
}

// Status asks the service manager.
func (m *Manager) Status() (State, error) {
	if m.sysv() {
		if _, err := os.Stat(m.initScript()); errors.Is(err, os.ErrNotExist) {
			return NotInstalled, nil
		}
		// The init script follows LSB: 0 running, 3 stopped.
		err := exec.Command(m.initScript(), "status").Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return Running, nil
		case errors.As(err, &exit) && exit.ExitCode() == 3:
			return Stopped, nil
		}
		return Stopped, fmt.Errorf("service %s status: %w", m.def.Name, err)
	}
	st, err := m.svc.Status()
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		return NotInstalled, nil
	case err != nil:
		return Stopped, fmt.Errorf("service %s status: %w", m.def.Name, err)
	case st == service.StatusRunning:
		return Running, nil
	}
	return Stopped, nil
}

// AgentPID is the process id of the running agent (not of its
// supervisor), or 0 when it is not known. Only SysV keeps one.
func (m *Manager) AgentPID() int {
	if !m.sysv() {
		return 0
	}
	b, err := os.ReadFile(agentPIDFile(m.def))
	if err != nil {
		return 0
	}
	var pid int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), "%d", &pid); err != nil {
		return 0
	}
	return pid
}

func (m *Manager) script(action string) error {
	out, err := exec.Command(m.initScript(), action).CombinedOutput()
	if err != nil {
		return fmt.Errorf("service %s %s: %w: %s", m.def.Name, action, err, strings.TrimSpace(string(out)))
	}
	return nil
}
