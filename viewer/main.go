// Command viewer opens My Insights: the user's own usage, performance,
// command and drawing insights from the local Teamlens agent, with the
// analytics opt-in and opt-out and their data.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"teamlens/internal/cmdline"
	"teamlens/shared/localclient"
	"teamlens/viewer/internal/ui"
)

type config struct {
	socket string
}

func main() {
	var cfg config
	fs := flag.NewFlagSet("viewer", flag.ContinueOnError)
	fs.StringVar(&cfg.socket, "socket", localclient.DefaultSocket(), "Unix socket (`path`) of the local Teamlens agent")
	cmd := &cmdline.Command{Name: "viewer", Flags: fs, Example: "viewer --socket /run/teamlens/agent.sock",
		Summary: "viewer opens My Insights: your own CAD usage, performance, commands and drawings from the Teamlens agent on this computer, your analytics choice and your data."}
	if _, err := cmd.Parse(os.Args[1:], os.Stdout); err != nil {
		if cmdline.ExitCode(err) == 2 {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(cmdline.ExitCode(err))
	}
	if err := run(context.Background(), cfg); err != nil {
		fmt.Fprintln(os.Stderr, "viewer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a := app.NewWithID("io.teamlens.viewer")
	w := a.NewWindow("Teamlens · My Insights")
	w.Resize(fyne.NewSize(1040, 760))
	w.SetOnClosed(cancel)
	v := ui.New(ctx, w, localclient.NewClient(cfg.socket), ui.Options{Log: log, Socket: cfg.socket})
	v.Reload()
	w.ShowAndRun()
	return nil
}
