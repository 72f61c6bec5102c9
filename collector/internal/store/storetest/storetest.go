// Package storetest opens real collector databases for tests: SQLite in a
// temporary directory, and PostgreSQL (when TEAMLENS_PG_URL is set) in a
// fresh schema per test so tests never see each other's rows.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"teamlens/collector/internal/pgdriver"
	"teamlens/collector/internal/store"
	"teamlens/internal/testenv"
)

// PGEnv names the variable holding the PostgreSQL URL tests use
// (scripts/pg.sh prints it).
const PGEnv = "TEAMLENS_PG_URL"

// Engine is a database engine under test.
type Engine struct {
	Name string
	// DSN returns a fresh, empty database for the test.
	DSN func(t testing.TB) string
}

// Engines returns SQLite and, when TEAMLENS_PG_URL is set, PostgreSQL.
// Tests that must cover PostgreSQL and see it unset log that it was
// skipped.
func Engines(t testing.TB) []Engine {
	t.Helper()
	engines := []Engine{{Name: "sqlite", DSN: SQLiteDSN}}
	if os.Getenv(PGEnv) != "" {
		engines = append(engines, Engine{Name: "postgres", DSN: PostgresDSN})
	} else {
		testenv.Partly(t, "%s is unset: PostgreSQL not tested (run scripts/pg.sh)", PGEnv)
	}
	return engines
}

// SQLiteDSN returns the path of a new SQLite file in t.TempDir().
func SQLiteDSN(t testing.TB) string {
	return filepath.Join(t.TempDir(), "collector.db")
}

// PostgresDSN creates a fresh schema, dropped when the test ends, and
// returns a URL whose search_path points at it. It skips the test when
// TEAMLENS_PG_URL is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := testenv.PostgresURL(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := pgdriver.Open(base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a store on dsn and closes it when the test ends.
func Open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Raw opens the database behind dsn directly, as a tool or an attacker
// with the file would, and closes it when the test ends.
func Raw(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if store.IsPostgres(dsn) {
		db, err = pgdriver.Open(dsn)
	} else {
		db, err = sql.Open("sqlite", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
