// Package cli is the installer's command line: its subcommands, their
// flags and help, and the exit code of every outcome; installer/main.go
// only calls Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"teamlens/installer/internal/install"
	"teamlens/internal/cmdline"
)

// Exit codes. Status follows the LSB init script convention.
const (
	exitOK           = 0
	exitError        = 1
	exitUsage        = 2
	exitNotRunning   = 3
	exitNotInstalled = 4
)

// Main runs the installer's command line and returns the process's exit
// code.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, os.Stdout, os.Stderr)
}

// command is a subcommand with what it runs once its flags are parsed.
type command struct {
	*cmdline.Command
	run func(ctx context.Context, in *install.Installer) int
}

func newCommand(name, summary, example string) *command {
	return &command{Command: &cmdline.Command{Name: "installer " + name, Summary: summary, Example: example,
		Flags: flag.NewFlagSet("installer "+name, flag.ContinueOnError)}}
}

// run parses the command line and maps every outcome to an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands(stdout, stderr)
	prog := &cmdline.Program{Name: "installer",
		Summary: "installer deploys the Teamlens agent and the My Insights viewer as a service on this workstation, or builds packages of the agent or the collector for your software-distribution tool."}
	for _, c := range cmds {
		prog.Commands = append(prog.Commands, c.Command)
	}
	helpOut := stdout
	if len(args) == 0 {
		helpOut = stderr
	}
	chosen, rest, err := prog.Select(args, helpOut)
	if err == nil {
		_, err = chosen.Parse(rest, stdout)
	}
	if err != nil {
		if cmdline.ExitCode(err) == exitUsage {
			fmt.Fprintln(stderr, err)
		}
		return cmdline.ExitCode(err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	for _, c := range cmds {
		if c.Command == chosen {
			return c.run(ctx, &install.Installer{Log: log, Out: stdout})
		}
	}
	return exitUsage
}

func failed(stderr io.Writer, cmd string, err error) int {
	var ue *cmdline.UsageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "installer %s: %v\n", cmd, err)
	return exitError
}
