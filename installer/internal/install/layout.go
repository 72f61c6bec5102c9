package install

import (
	"path/filepath"
	"runtime"

	"teamlens/shared/config"
)

// Layout says where an install puts things. The zero value means the
// system locations (DefaultLayout); tests point it at their own.
type Layout struct {
	// ConfigFile is the agent's configuration, read by "agent run --config".
	ConfigFile string
	// LibDir holds the agent binary the service runs and a copy of the
	// installer, so that "uninstall" is there after the package is gone.
	LibDir string
	// DataDir and SpoolDir are used when the flags do not name them.
	DataDir  string
	SpoolDir string
	// Socket is where the agent answers; written into the configuration.
	Socket string
	// ServiceName is the OS service's name.
	ServiceName string
	// ShareDir receives the viewer's desktop entry and icon (Linux).
	ShareDir string
	// PackageShareDir is where the Debian package puts the viewer's entry
	// ("": /usr/share).
	PackageShareDir string
}

// DefaultLayout is the layout of a real install on this OS.
func DefaultLayout() Layout {
	// Every path but the binaries' is the service's own, from the
	// agent's configuration contract, so "agent status" finds them unaided.
	l := Layout{ServiceName: config.ServiceName, ConfigFile: config.DefaultConfigFile(),
		DataDir: config.ServiceDataDir(), SpoolDir: config.ServiceSpoolDir(), Socket: config.ServiceSocket()}
	switch runtime.GOOS {
	case "windows":
		l.LibDir = filepath.Join(programFiles(), "Teamlens")
	case "darwin":
		l.LibDir = "/Library/Teamlens"
	default:
		l.LibDir = "/usr/local/lib/teamlens"
		l.ShareDir = "/usr/local/share"
	}
	return l
}

func (l Layout) withDefaults() Layout {
	d := DefaultLayout()
	if l.ConfigFile == "" {
		l.ConfigFile = d.ConfigFile
	}
	if l.LibDir == "" {
		l.LibDir = d.LibDir
	}
	if l.DataDir == "" {
		l.DataDir = d.DataDir
	}
	if l.SpoolDir == "" {
		l.SpoolDir = d.SpoolDir
	}
	if l.Socket == "" {
		l.Socket = d.Socket
	}
	if l.ServiceName == "" {
		l.ServiceName = d.ServiceName
	}
	if l.ShareDir == "" {
		l.ShareDir = d.ShareDir
	}
	return l
}

func (l Layout) agentPath() string     { return filepath.Join(l.LibDir, exe("agent")) }
func (l Layout) installerPath() string { return filepath.Join(l.LibDir, exe("installer")) }

func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}
