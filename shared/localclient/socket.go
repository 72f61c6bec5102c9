package localclient

import (
	"os"
	"path/filepath"
	"runtime"
)

// systemSocket is where an agent running as a Unix service listens.
const systemSocket = "/run/teamlens/agent.sock"

// DefaultSocket is where the viewer looks for the agent: the socket the
// agent's own defaults give for this user (agent/internal/config, which the
// viewer may not import), or else the system service's socket when that is
// the one that exists, as it is for a user viewing a root service.
func DefaultSocket() string {
	own := filepath.Join(defaultDataDir(), "agent.sock")
	if runtime.GOOS != "windows" && os.Geteuid() == 0 {
		own = systemSocket
	}
	if _, err := os.Stat(own); err != nil && runtime.GOOS != "windows" {
		if _, err := os.Stat(systemSocket); err == nil {
			return systemSocket
		}
	}
	return own
}

// defaultDataDir mirrors config.DefaultDataDir.
func defaultDataDir() string {
	switch runtime.GOOS {
	case "windows":
		if pd := os.Getenv("ProgramData"); pd != "" {
			return filepath.Join(pd, "Teamlens")
		}
		return `C:\ProgramData\Teamlens`
	case "darwin":
		if os.Geteuid() == 0 {
			return "/Library/Application Support/Teamlens"
		}
	default:
		if os.Geteuid() == 0 {
			return "/var/lib/teamlens"
		}
	}
	if dir := os.Getenv("XDG_DATA_HOME"); dir != "" {
		return filepath.Join(dir, "teamlens")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "teamlens")
	}
	return "teamlens-data"
}
