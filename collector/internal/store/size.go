package store

import (
	"context"
	"fmt"
)

// Size returns the database's size in bytes: the SQLite file's pages (the
// WAL not counted) or PostgreSQL's pg_database_size. The one query that
// differs between the engines: neither has the other's function.
func (s *Store) Size(ctx context.Context) (int64, error) {
	q := `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`
	if s.postgres {
		q = `SELECT pg_database_size(current_database())`
	}
	var n int64
	if err := s.db.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return n, nil
}
