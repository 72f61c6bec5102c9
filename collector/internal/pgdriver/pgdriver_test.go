package pgdriver_test

import (
	"context"
	"testing"

	"teamlens/collector/internal/pgdriver"
	"teamlens/internal/testenv"
)

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT ? , ?", "SELECT $1 , $2"},
		{"WHERE a = '?' AND b = ?", "WHERE a = '?' AND b = $1"},
		{`WHERE "we?ird" = ? AND c = 'it''s ?' AND d = ?`, `WHERE "we?ird" = $1 AND c = 'it''s ?' AND d = $2`},
	}
	for _, tt := range tests {
		if got := pgdriver.Rebind(tt.in); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestRoundTrip runs typed values, transactions and sums through a real
// server.
func TestRoundTrip(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	db, err := pgdriver.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE x (s TEXT, n BIGINT, f DOUBLE PRECISION)`); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{1 << 40, 2, 3} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO x VALUES (?, ?, ?)`, "a", n, 0.5); err != nil {
			t.Fatal(err)
		}
	}
	var s string
	var sum int64
	var f float64
	var null *string
	if err := tx.QueryRowContext(ctx, `SELECT MAX(s), SUM(n), SUM(f), MAX(CASE WHEN n < 0 THEN s END) FROM x WHERE s = ?`, "a").
		Scan(&s, &sum, &f, &null); err != nil {
		t.Fatal(err)
	}
	if s != "a" || sum != 1<<40+5 || f != 1.5 || null != nil {
		t.Errorf("got %q %d %v %v", s, sum, f, null)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT 1`).Scan(&sum); err != nil {
		t.Fatalf("connection unusable after rollback: %v", err)
	}
}
