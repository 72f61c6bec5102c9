package localclient

import (
	"os"
	"runtime"

	"teamlens/shared/config"
)

// DefaultSocket is where the viewer looks for the agent: the socket the
// agent's own defaults give for this user, or else the system service's
// socket when that is the one that exists, as it is for a user viewing a
// root service. On Windows it is the service's named pipe.
func DefaultSocket() string {
	if runtime.GOOS == "windows" {
		return config.ServiceSocket()
	}
	own := config.DefaultSocket(config.DefaultDataDir())
	if _, err := os.Stat(own); err != nil {
		if _, err := os.Stat(config.ServiceSocket()); err == nil {
			return config.ServiceSocket()
		}
	}
	return own
}
