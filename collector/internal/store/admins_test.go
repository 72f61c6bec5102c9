package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/pgdriver"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/internal/migrate"
	"teamlens/internal/sqlitedb"
	"teamlens/shared/catalog"
)

// migratedTo opens a database of dsn brought up to the schema of the
// named migrations only: the shape an older collector left.
func migratedTo(t *testing.T, dsn string, names ...string) *sql.DB {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, name := range names {
		b, err := os.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		fsys["m/"+name] = &fstest.MapFile{Data: b}
	}
	ctx := context.Background()
	var db *sql.DB
	var err error
	if store.IsPostgres(dsn) {
		db, err = pgdriver.Open(dsn)
		if err == nil {
			err = migrate.Up(ctx, db, fsys, "m")
		}
	} else {
		db, err = sqlitedb.Open(ctx, dsn, fsys, "m")
	}
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestMigrationKeepsAdminTokens builds a database of schema 001 with admin
// tokens of the old one-team shape, then opens it: every token still works,
// for its team, and an email's tokens serve all of its teams.
func TestMigrationKeepsAdminTokens(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := eng.DSN(t)
			db := migratedTo(t, dsn, "001_init.sql")
			old := map[string]string{"tok-a": "T1", "tok-b": "T2", "tok-c": "T1"}
			for _, q := range []string{
				`INSERT INTO teams VALUES ('T1', 'One', 'premium', 'named'), ('T2', 'Two', 'standard', 'named')`,
				`INSERT INTO admins VALUES ('` + store.HashToken("tok-a") + `', 'T1', 'a@x.com', 'secondary', 0, '2026-01-01T00:00:00Z')`,
				`INSERT INTO admins VALUES ('` + store.HashToken("tok-b") + `', 'T2', 'a@x.com', 'sso', 1, '2026-01-02T00:00:00Z')`,
				// A later grant on the same team replaces the role.
				`INSERT INTO admins VALUES ('` + store.HashToken("tok-c") + `', 'T1', 'a@x.com', 'primary', 1, '2026-02-01T00:00:00Z')`,
			} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			st := storetest.Open(t, dsn)
			for tok, team := range old {
				a, err := st.AdminByToken(ctx, tok, time.Now())
				if err != nil {
					t.Fatalf("%s after migration: %v", tok, err)
				}
				if _, ok := a.On(team); !ok || a.Email != "a@x.com" || len(a.Roles) != 2 {
					t.Errorf("%s: %+v", tok, a)
				}
			}
			a, _ := st.AdminByToken(ctx, "tok-a", time.Now())
			if g, _ := a.On("T1"); g.Role != "primary" || !g.CanPurchase {
				t.Errorf("latest grant on T1 should hold: %+v", g)
			}
			if n, err := st.RevokeTokens(ctx, "A@x.com", time.Now()); err != nil || n != 3 {
				t.Errorf("revoke by email: %d %v", n, err)
			}
		})
	}
}

func TestTokensRevokeAndExpire(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, eng.DSN(t))
			f, _ := license.Parse("teams", strings.NewReader("team,name,plan,user_management\nT1,One,premium,named\n"), catalog.Builtin())
			if err := st.Import(ctx, f); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
			g := store.Grant{Team: "T1", Email: "p@x.com", Role: "primary"}
			forever, err := st.CreateAdmin(ctx, g, time.Time{}, now)
			if err != nil {
				t.Fatal(err)
			}
			day, err := st.CreateAdmin(ctx, g, now.Add(24*time.Hour), now)
			if err != nil {
				t.Fatal(err)
			}
			valid := func(tok string, at time.Time) bool {
				_, err := st.AdminByToken(ctx, tok, at)
				if err != nil && !errors.Is(err, store.ErrUnauthorized) {
					t.Fatal(err)
				}
				return err == nil
			}
			if !valid(day, now.Add(23*time.Hour)) || valid(day, now.Add(24*time.Hour)) || !valid(forever, now.Add(1000*24*time.Hour)) {
				t.Error("expiry: a token works until its expiry and not from it")
			}
			tokens, _ := st.Tokens(ctx, []string{"p@x.com"})
			if len(tokens) != 2 {
				t.Fatalf("tokens %+v", tokens)
			}
			var dayID string
			for _, x := range tokens {
				if x.ExpiresAt != "" {
					dayID = x.ID
				}
			}
			if _, err := st.RevokeTokens(ctx, dayID, now); err != nil {
				t.Fatal(err)
			}
			if valid(day, now) || !valid(forever, now) {
				t.Error("revoking one token by id must end that one only")
			}
			if _, err := st.RevokeTokens(ctx, dayID, now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoking a revoked token: %v", err)
			}
			if _, err := st.AdminByTokenID(ctx, dayID, now); !errors.Is(err, store.ErrUnauthorized) {
				t.Errorf("a session of a revoked token: %v", err)
			}
		})
	}
}

// TestMigrationMovesCommandsIntoDays builds a database of schema 006 with
// a command row per command and day, then opens it: each day holds its
// completed commands, and counts outside the contract are gone.
func TestMigrationMovesCommandsIntoDays(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := eng.DSN(t)
			db := migratedTo(t, dsn, "001_init.sql", "002_admins.sql", "003_devices.sql", "004_insight_aggregates.sql",
				"005_no_unread_analytics.sql", "006_usage_digests.sql")
			for _, q := range []string{
				`INSERT INTO devices (id, hostname, token_hash, enrolled_at) VALUES ('d1', 'ws', 'h', '2026-01-01T00:00:00Z')`,
				`INSERT INTO usage_days (device_id, os_user, product, version, day, login, minutes, sessions, received_at) VALUES
					('d1', 'jdoe', 'AutoCAD', '2027', '2026-06-01', 'jdoe', 5, 1, 'x'),
					('d1', 'jdoe', 'AutoCAD', '2027', '2026-06-02', 'jdoe', 5, 1, 'x')`,
				`INSERT INTO usage_commands (device_id, os_user, product, version, day, command, login, started, completed, canceled, undone) VALUES
					('d1', 'jdoe', 'AutoCAD', '2027', '2026-06-01', 'LINE', 'jdoe', 9, 4, 1, 0),
					('d1', 'jdoe', 'AutoCAD', '2027', '2026-06-01', 'MOVE', 'jdoe', 2, 2, 0, 0),
					('d1', 'jdoe', 'AutoCAD', '2027', '2026-06-01', 'ZOOM', 'jdoe', 3, 0, 3, 0),
					('d1', 'jdoe', 'AutoCAD', '2027', '2026-06-01', 'HUGE', 'jdoe', 1, 9000000000, 0, 0)`,
			} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			storetest.Open(t, dsn)
			raw := storetest.Raw(t, dsn)
			got := map[string]string{}
			rows, err := raw.QueryContext(ctx, `SELECT day, COALESCE(commands, '-') FROM usage_days`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var day, cmds string
				if err := rows.Scan(&day, &cmds); err != nil {
					t.Fatal(err)
				}
				f := strings.Fields(cmds)
				sort.Strings(f)
				got[day] = strings.Join(f, " ")
			}
			rows.Close()
			if got["2026-06-01"] != "LINE:4 MOVE:2" || got["2026-06-02"] != "-" {
				t.Errorf("commands after the migration: %v", got)
			}
		})
	}
}
