package migrate_test

import (
	"context"
	"path/filepath"
	"testing"
	"testing/fstest"

	"teamlens/internal/migrate"
	"teamlens/internal/sqlitedb"
)

// TestLowerVersionAfterAHigherOne: a migration merged in below one a
// database has already applied still runs, once.
func TestLowerVersionAfterAHigherOne(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	first := fstest.MapFS{
		"m/001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"m/003_c.sql": {Data: []byte("CREATE TABLE c (x INTEGER);")},
	}
	db, err := sqlitedb.Open(ctx, path, first, "m")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	merged := fstest.MapFS{
		"m/001_a.sql": first["m/001_a.sql"],
		"m/002_b.sql": {Data: []byte("CREATE TABLE b (x INTEGER);")},
		"m/003_c.sql": first["m/003_c.sql"],
	}
	db, err = sqlitedb.Open(ctx, path, merged, "m")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO b VALUES (1)`); err != nil {
		t.Errorf("002 did not run: %v", err)
	}
	if err := migrate.Up(ctx, db, merged, "m"); err != nil {
		t.Errorf("again: %v", err)
	}
}
