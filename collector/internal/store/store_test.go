package store_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/pgdriver"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/shared/catalog"
)

// TestReplicasStartTogether opens one database from several stores at once,
// as replicas starting together do: the schema is migrated once and every
// store works.
func TestReplicasStartTogether(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			dsn := eng.DSN(t)
			var wg sync.WaitGroup
			stores := make([]*store.Store, 4)
			errs := make([]error, 4)
			for i := range stores {
				wg.Add(1)
				go func() {
					defer wg.Done()
					stores[i], errs[i] = store.Open(context.Background(), dsn)
				}()
			}
			wg.Wait()
			for i, st := range stores {
				if errs[i] != nil {
					t.Fatalf("open %d: %v", i, errs[i])
				}
				defer st.Close()
				if _, _, err := st.Enroll(context.Background(), "h", time.Now()); err != nil {
					t.Fatalf("store %d: %v", i, err)
				}
			}
		})
	}
}

func TestImportUpsertAndAdmins(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, eng.DSN(t))
			load := func(kind, body string) error {
				f, err := license.Parse(kind, strings.NewReader(body), catalog.Builtin())
				if err != nil {
					t.Fatal(err)
				}
				return st.Import(ctx, f)
			}
			if err := load("teams", "team,name,plan,user_management\nT1,One,standard,named\n"); err != nil {
				t.Fatal(err)
			}
			if err := load("teams", "team,name,plan,user_management\nT1,Uno,premium,named\nT2,Two,premium,classic\n"); err != nil {
				t.Fatal(err)
			}
			pic, err := st.Picture(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(pic.Teams) != 2 || pic.Teams[0].Name != "Uno" || pic.Teams[0].Plan != "premium" {
				t.Errorf("teams after re-import: %+v", pic.Teams)
			}
			err = load("assignments", "subscription,email,assigned_on\nS1,a@x.com,2026-01-01\n")
			var ce *license.CellError
			if !errors.As(err, &ce) || ce.Line != 2 || ce.Column != "subscription" {
				t.Errorf("assignment to a missing subscription: %v", err)
			}
			tok, err := st.CreateAdmin(ctx, store.Grant{Team: "T1", Email: "P@x.com", Role: "sso"}, time.Time{}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			a, err := st.AdminByToken(ctx, tok, time.Now())
			if g, ok := a.On("T1"); err != nil || a.Email != "p@x.com" || !ok || g != (store.Grant{Team: "T1", Email: "p@x.com", Role: "sso"}) {
				t.Errorf("admin %+v, %v", a, err)
			}
			if _, err := st.AdminByToken(ctx, tok+"x", time.Now()); !errors.Is(err, store.ErrUnauthorized) {
				t.Errorf("wrong token: %v", err)
			}
			if _, err := st.CreateAdmin(ctx, store.Grant{Team: "T9", Email: "p@x.com", Role: "sso"}, time.Time{}, time.Now()); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("admin of a missing team: %v", err)
			}
		})
	}
}

// TestPercentileIsPercentileCont compares insights.Percentile with
// PostgreSQL's own percentile_cont on random data.
func TestPercentileIsPercentileCont(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	db, err := pgdriver.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE v (x DOUBLE PRECISION)`); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 5, 7, 100} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM v`); err != nil {
			t.Fatal(err)
		}
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = float64(r.IntN(100000)) / 7
			if _, err := tx.ExecContext(ctx, `INSERT INTO v VALUES (?)`, vals[i]); err != nil {
				t.Fatal(err)
			}
		}
		sortFloats(vals)
		for _, p := range []float64{0.25, 0.5, 0.75} {
			var want float64
			if err := tx.QueryRowContext(ctx, `SELECT percentile_cont(?::float8) WITHIN GROUP (ORDER BY x) FROM v`, p).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if got := insights.Percentile(vals, p); abs(got-want) > 1e-9*max(1, abs(want)) {
				t.Errorf("n=%d p=%v: %v, percentile_cont %v", n, p, got, want)
			}
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func sortFloats(v []float64) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}
