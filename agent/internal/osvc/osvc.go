// Package osvc runs the agent in the foreground or under the OS service
// manager; it is the only place that knows about signals and services.
package osvc

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Run calls run with a context that ends on SIGINT or SIGTERM.
func Run(run func(ctx context.Context) error) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx)
}
