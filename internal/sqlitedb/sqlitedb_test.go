package sqlitedb_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"teamlens/internal/sqlitedb"
)

func TestOpenNamesAMissingDirectory(t *testing.T) {
	fsys := fstest.MapFS{"m/001_init.sql": {Data: []byte("CREATE TABLE t (x INTEGER);")}}
	missing := filepath.Join(t.TempDir(), "nope")
	_, err := sqlitedb.Open(context.Background(), filepath.Join(missing, "a.db"), fsys, "m")
	if err == nil || !strings.Contains(err.Error(), "directory "+missing+" does not exist") {
		t.Fatalf("err = %v, want it to name the missing directory", err)
	}
	db, err := sqlitedb.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
}
