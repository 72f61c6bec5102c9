//go:build windows

package servicerun

import (
	"context"
	"os"
)

// exitIfUnsupervised ends the process when run failed by itself under the
// service control manager: kardianos waits for a stop request there and
// would otherwise leave a service that runs nothing. A non-zero exit lets the
// SCM's recovery actions restart the agent.
func exitIfUnsupervised(ctx context.Context, err error) {
	if ctx.Err() == nil {
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
}
