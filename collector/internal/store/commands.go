package store

import (
	"sort"
	"strconv"
	"strings"

	"teamlens/shared/wire"
)

// A usage day keeps its completed commands in one column, "NAME:count"
// pairs separated by spaces, written in name order (migration 007). Command names
// are identifiers, which hold neither ':' nor ' '.

// formatCommands returns the commands column of a day: the commands
// completed at least once.
func formatCommands(cmds map[string]*wire.Outcomes) string {
	names := make([]string, 0, len(cmds))
	for name, o := range cmds {
		if o != nil && o.Completed > 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(cmds[name].Completed, 10))
	}
	return b.String()
}

// eachCommand calls fn with each command of a commands column and its
// count. A count outside the contract's daily bound, or an entry that does
// not parse, is a row the collector did not write: it counts as nothing.
func eachCommand(col string, fn func(name string, completed int64)) {
	for len(col) > 0 {
		var entry string
		entry, col, _ = strings.Cut(col, " ")
		name, count, ok := strings.Cut(entry, ":")
		if !ok || name == "" {
			continue
		}
		if n, err := strconv.ParseInt(count, 10, 64); err == nil && n > 0 && n <= wire.MaxCommandOutcomes {
			fn(name, n)
		}
	}
}
