// Package sqlitedb opens an embedded SQLite database the way every Teamlens
// program wants it (WAL, foreign keys, busy timeout, immediate
// transactions) and brings its schema up to date (package migrate).
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"teamlens/internal/migrate"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Open opens (creating if needed) the database at path and applies the
// migrations in dir of fsys: files named NNN_description.sql, applied in
// order, each once, each in its own transaction. Extra pragmas, such as
// "secure_delete(ON)", apply to every connection like the standard ones.
func Open(ctx context.Context, path string, fsys fs.FS, dir string, pragmas ...string) (*sql.DB, error) {
	// SQLite's own word for a missing directory is "unable to open
	// database file (14)", which names neither the file nor the cause.
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("open %s: directory %s does not exist", path, filepath.Dir(path))
	}
	q := url.Values{}
	for _, p := range append([]string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"}, pragmas...) {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Processes opening a new file together (a service starting while the
	// CLI runs) can meet SQLite's busy answer to the switch into WAL, which
	// waits for no timeout: the first one finishes in milliseconds.
	for attempt := 0; ; attempt++ {
		err = migrate.Up(ctx, db, fsys, dir)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || attempt == 50 {
			break
		}
		time.Sleep(time.Duration(10+attempt*10) * time.Millisecond)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}
