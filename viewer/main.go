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

	"teamlens/shared/localclient"
	"teamlens/viewer/internal/ui"
)

type config struct {
	socket string
}

func main() {
	var cfg config
	flag.StringVar(&cfg.socket, "socket", localclient.DefaultSocket(), "Unix socket of the local Teamlens agent")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), "viewer opens My Insights: your own CAD usage, performance, commands and drawings\n"+
			"from the Teamlens agent on this computer, your analytics choice and your data.\n\n"+
			"usage: viewer [--socket P]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: viewer [--socket P]")
		os.Exit(2)
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
