// Command fleetsim simulates an organization's fleet against a collector:
// `seed` writes and imports its license files and uploads 120 days of its
// users' work, `load` is the load test, `ingest` measures the ingest rate,
// `check` looks for every insight kind. Its command table is in
// internal/fleetsim.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"teamlens/internal/fleetsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := fleetsim.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
