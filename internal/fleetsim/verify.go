package fleetsim

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver, to read a PostgreSQL collector
	_ "modernc.org/sqlite"             // "sqlite" driver, to read a SQLite collector
)

// Verify reads what the collector stored (a SQLite path or a postgres://
// URL) and checks it against the ledger: every acknowledged day is stored
// once, at the revision acknowledged or a later one sent, and nothing is
// stored that was never sent. It returns the number of rows checked.
func (l *Ledger) Verify(ctx context.Context, dsn string) (int, error) {
	driver, src := "sqlite", "file:"+dsn+"?mode=ro"
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		driver, src = "pgx", dsn
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT device_id, os_user, product, version, day, sessions FROM usage_days WHERE os_user LIKE 'load%'`)
	if err != nil {
		return 0, fmt.Errorf("read usage days: %w", err)
	}
	defer rows.Close()
	seen := map[LedgerKey]int{}
	n := 0
	for rows.Next() {
		var k LedgerKey
		var rev int
		if err := rows.Scan(&k.Device, &k.User, &k.Product, &k.Version, &k.Date, &rev); err != nil {
			return n, err
		}
		n++
		seen[k]++
		r := l.Keys[k]
		switch {
		case r == nil:
			return n, fmt.Errorf("stored day %+v was never sent", k)
		case seen[k] > 1:
			return n, fmt.Errorf("day %+v is stored %d times", k, seen[k])
		case rev < r.Acked || rev > r.Sent:
			return n, fmt.Errorf("day %+v is stored at revision %d, acknowledged %d, last sent %d", k, rev, r.Acked, r.Sent)
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	for k, r := range l.Keys {
		if r.Acked >= 0 && seen[k] == 0 {
			return n, fmt.Errorf("acknowledged day %+v is not stored", k)
		}
	}
	return n, nil
}
