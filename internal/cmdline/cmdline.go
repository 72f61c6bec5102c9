// Package cmdline gives every Teamlens program the same manners on the
// command line: -h/--help says what a command does, lists its flags with
// their defaults and shows an example (exit 0); a missing or wrong flag
// names itself (exit 2); --version prints the version stamped at build time.
package cmdline

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// version is stamped at build time:
// go build -ldflags "-X teamlens/internal/cmdline.version=1.4.0".
var version = "dev"

// Version returns the version the binary was built as.
func Version() string { return version }

// ErrHelp means help or the version was printed as asked: exit 0.
var ErrHelp = flag.ErrHelp

// UsageError is a command line that cannot run; its message names the
// flag or argument at fault.
type UsageError struct {
	Cmd string // the command, e.g. "collector import"
	Msg string
}

func (e *UsageError) Error() string {
	return fmt.Sprintf("%s: %s (see '%s --help')", e.Cmd, e.Msg, e.Cmd)
}

// ExitCode maps an error of Parse, Select or the command itself to the
// process exit code: 0 for nil and help, 2 for usage, 1 otherwise.
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// Command is one program or subcommand.
type Command struct {
	Name     string // as typed: "collector import"
	Summary  string // one sentence: what it does
	Args     string // positional arguments in the synopsis, e.g. "FILE.csv"
	NArgs    int    // positional arguments expected; -1 for any number
	Example  string // one or more lines, shown under "example:"
	Required []string
	Flags    *flag.FlagSet // nil for a command without flags
}

// Parse parses args, flags before or after positional arguments, and
// returns the positional ones. -h/--help writes the help to out and
// returns ErrHelp.
func (c *Command) Parse(args []string, out io.Writer) ([]string, error) {
	fs := c.Flags
	if fs == nil {
		fs = flag.NewFlagSet(c.Name, flag.ContinueOnError)
	}
	fs.SetOutput(io.Discard)
	var pos []string
	for rest := args; ; {
		err := fs.Parse(rest)
		if errors.Is(err, flag.ErrHelp) {
			c.Help(out)
			return nil, ErrHelp
		}
		if err != nil {
			return nil, &UsageError{c.Name, err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range c.Required {
		if !set[name] {
			return nil, &UsageError{c.Name, "missing required flag --" + name}
		}
	}
	if c.NArgs >= 0 && len(pos) != c.NArgs {
		if len(pos) > c.NArgs {
			return nil, &UsageError{c.Name, fmt.Sprintf("unexpected argument %q", pos[c.NArgs])}
		}
		return nil, &UsageError{c.Name, "missing " + c.Args}
	}
	return pos, nil
}

// Help writes what the command does, its synopsis, flags and example.
func (c *Command) Help(w io.Writer) {
	fmt.Fprintf(w, "%s\n\nusage: %s", c.Summary, c.Name)
	if c.Flags != nil {
		fmt.Fprint(w, " [flags]")
	}
	if c.Args != "" {
		fmt.Fprint(w, " ", c.Args)
	}
	fmt.Fprintln(w)
	if c.Flags != nil {
		fmt.Fprintln(w, "\nflags:")
		required := map[string]bool{}
		for _, n := range c.Required {
			required[n] = true
		}
		c.Flags.VisitAll(func(f *flag.Flag) { writeFlag(w, f, required[f.Name]) })
	}
	if c.Example != "" {
		fmt.Fprintln(w, "\nexample:")
		for _, line := range strings.Split(c.Example, "\n") {
			fmt.Fprintln(w, "  "+line)
		}
	}
}

func writeFlag(w io.Writer, f *flag.Flag, required bool) {
	name, usage := flag.UnquoteUsage(f)
	head := "  --" + f.Name
	if name != "" {
		head += " " + name
	}
	fmt.Fprintf(w, "%s\n      %s", head, usage)
	switch {
	case required:
		fmt.Fprint(w, " (required)")
	case f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s":
		fmt.Fprintf(w, " (default %s)", f.DefValue)
	}
	fmt.Fprintln(w)
}

// Program is a binary with subcommands.
type Program struct {
	Name     string
	Summary  string
	Commands []*Command // Name of each is "<program> <sub>"
}

// Select picks the subcommand named by args[0] and returns it with the
// remaining arguments. With no arguments, -h, --help or "help" it writes
// the program's help to out and returns ErrHelp (no arguments is a usage
// error after the help); --version writes the version.
func (p *Program) Select(args []string, out io.Writer) (*Command, []string, error) {
	if len(args) == 0 {
		p.Help(out)
		return nil, nil, &UsageError{p.Name, "a command is required"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			if c := p.lookup(args[1]); c != nil {
				c.Help(out)
				return nil, nil, ErrHelp
			}
		}
		p.Help(out)
		return nil, nil, ErrHelp
	case "-version", "--version", "version":
		fmt.Fprintf(out, "%s %s\n", p.Name, Version())
		return nil, nil, ErrHelp
	}
	if c := p.lookup(args[0]); c != nil {
		return c, args[1:], nil
	}
	return nil, nil, &UsageError{p.Name, fmt.Sprintf("unknown command %q", args[0])}
}

func (p *Program) lookup(sub string) *Command {
	for _, c := range p.Commands {
		if c.Name == p.Name+" "+sub {
			return c
		}
	}
	return nil
}

// Help lists what the program does and its commands.
func (p *Program) Help(w io.Writer) {
	fmt.Fprintf(w, "%s\n\nusage: %s <command> [flags]\n\ncommands:\n", p.Summary, p.Name)
	width := 0
	for _, c := range p.Commands {
		width = max(width, len(c.Name)-len(p.Name)-1)
	}
	for _, c := range p.Commands {
		first, _, _ := strings.Cut(c.Summary, ". ")
		fmt.Fprintf(w, "  %-*s  %s\n", width, strings.TrimPrefix(c.Name, p.Name+" "), strings.TrimSuffix(first, ".")+".")
	}
	fmt.Fprintf(w, "\n'%s <command> --help' shows a command's flags; '%s --version' the version.\n", p.Name, p.Name)
}
