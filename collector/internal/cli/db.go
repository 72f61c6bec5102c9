package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"teamlens/collector/internal/store"
	"teamlens/shared/catalog"
	"teamlens/shared/collectorconf"
)

// Env is what every subcommand shares once its flags are parsed.
type Env struct {
	DB      string
	Catalog *catalog.Catalog
	Out     io.Writer // results
	Info    io.Writer // what a person should read, not a script
	Logger  *slog.Logger
}

// DefaultDB is the database every subcommand uses without --db: the
// service's under /var/lib for root, the user's data directory otherwise.
// One default for all, so `import` never writes where `serve` does not read.
func DefaultDB() string {
	if os.Geteuid() == 0 {
		return collectorconf.ServiceDB
	}
	dir, err := os.UserHomeDir()
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		dir, err = x, nil
	} else {
		dir = filepath.Join(dir, ".local", "share")
	}
	if err != nil {
		return "collector.db"
	}
	return filepath.Join(dir, "teamlens-collector", "collector.db")
}

// PrepareDB makes a SQLite database's directory when the command may
// create the database, and refuses a missing database otherwise, so a
// typo in --db is an error rather than a new empty database.
func PrepareDB(db string, create bool) error {
	if store.IsPostgres(db) {
		return nil
	}
	if create {
		if err := os.MkdirAll(filepath.Dir(db), 0o750); err != nil {
			return fmt.Errorf("database directory: %w", err)
		}
		return nil
	}
	if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("database %s does not exist (give --db the file 'collector serve' uses)", db)
	}
	return nil
}
