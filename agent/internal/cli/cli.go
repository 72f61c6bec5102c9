// Package cli is the agent's command line: the command table, its flags,
// each command's run, and the choice between the database and the running
// agent's socket. agent/main.go only calls Main; the service's lifecycle
// is in agent/internal/agent.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"teamlens/internal/cmdline"
	"teamlens/shared/config"
	"teamlens/shared/localclient"
)

// Main runs the agent's command line and returns the process's exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	err := run(args, stdout, stderr)
	var ue *cmdline.UsageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, err)
	case err != nil && !errors.Is(err, cmdline.ErrHelp):
		fmt.Fprintln(stderr, "agent:", err)
	}
	return cmdline.ExitCode(err)
}

// env is what a command runs with once its flags are parsed.
type env struct {
	f              *flags
	cfg            config.Config
	args           []string
	stdout, stderr io.Writer
}

// data is how the data commands reach the database: directly for root (on
// Windows an elevated administrator), through the running agent for
// everyone else.
type data interface {
	consent(ctx context.Context, user, action string, withdraw bool, w io.Writer) error
	status(ctx context.Context, w io.Writer) error
	export(ctx context.Context, user string, w io.Writer) error
	forget(ctx context.Context, user string, w io.Writer) error
	requeue(ctx context.Context, date string, w io.Writer) error
}

func (e env) data() data {
	if viaSocket() {
		return &remote{socket: userSocket(e.cfg, e.f.dataDir)}
	}
	return local{dataDir: e.cfg.WithDefaults().DataDir}
}

func run(args []string, stdout, stderr io.Writer) error {
	var f flags
	cmds := commands(&f)
	helpOut := stdout
	if len(args) == 0 {
		helpOut = stderr
	}
	chosen, rest, err := program(cmds).Select(args, helpOut)
	if err != nil {
		return err
	}
	var c *command
	for _, cc := range cmds {
		if cc.Command == chosen {
			c = cc
		}
	}
	pos, err := c.Parse(rest, stdout)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(f.config)
	if err != nil {
		return err
	}
	override(&cfg.DataDir, f.dataDir)
	override(&cfg.Socket, f.socket)
	return c.run(context.Background(), env{f: &f, cfg: cfg, args: pos, stdout: stdout, stderr: stderr})
}

// viaSocket reports whether the data commands must go through the running
// agent: a user other than root (on Windows, a process without an elevated
// administrator's token) cannot open the service's database, and a
// database of their own would be one the service never reads.
func viaSocket() bool {
	return !privileged()
}

// userSocket is the socket a user's command goes through: --socket, the
// configuration's, the agent's own one in --data-dir, or else the default
// the viewer uses.
func userSocket(cfg config.Config, dataDir string) string {
	switch {
	case cfg.Socket != "":
		return cfg.Socket
	case dataDir != "":
		return config.DefaultSocket(dataDir)
	}
	return localclient.DefaultSocket()
}

// loadConfig reads the named file, or the installer's file when it exists.
// A user other than root may not read the installer's file (it holds the
// enroll secret); their commands go through the socket and do without.
func loadConfig(path string) (config.Config, error) {
	if path == "" {
		path = config.DefaultConfigFile()
		if _, err := os.Stat(path); err != nil {
			return config.Config{}, nil
		}
		if c, err := config.Load(path); err == nil || !viaSocket() {
			return c, err
		}
		return config.Config{}, nil
	}
	return config.Load(path)
}

func override(dst *string, flagValue string) {
	if flagValue != "" {
		*dst = flagValue
	}
}
