package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"teamlens/agent/internal/ingest"
	"teamlens/internal/sqlx"
)

// File returns the stored read position of path.
func (s *Store) File(ctx context.Context, path string) (ingest.Position, bool, error) {
	f := ingest.Position{Path: path}
	var updated int64
	err := s.db.QueryRowContext(ctx, `SELECT dev, ino, offset, line, skipping, user, ended, updated_ms
		FROM files WHERE path = ?`, path).Scan(&f.Dev, &f.Ino, &f.Offset, &f.Line, &f.Skipping, &f.User, &f.Ended, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	if err != nil {
		return f, false, err
	}
	f.Updated = time.UnixMilli(updated)
	return f, true, nil
}

// Files returns every stored read position.
func (s *Store) Files(ctx context.Context) ([]ingest.Position, error) {
	var out []ingest.Position
	err := s.each(ctx, `SELECT path, dev, ino, offset, line, skipping, user, ended, updated_ms FROM files ORDER BY path`,
		func(r *sql.Rows) error {
			var f ingest.Position
			var updated int64
			if err := r.Scan(&f.Path, &f.Dev, &f.Ino, &f.Offset, &f.Line, &f.Skipping, &f.User, &f.Ended, &updated); err != nil {
				return err
			}
			f.Updated = time.UnixMilli(updated)
			out = append(out, f)
			return nil
		})
	return out, err
}

// RemoveFile forgets the read position of a file that is gone from the
// spool. Remove the file first: a position removed before its file would
// make the file read again from the start.
func (s *Store) RemoveFile(ctx context.Context, path string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM files WHERE path = ?`, path)
	return err
}

func putFile(ctx context.Context, tx *sql.Tx, f ingest.Position) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO files (path, dev, ino, offset, line, skipping, user, ended, updated_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, offset = excluded.offset,
			line = excluded.line, skipping = excluded.skipping, user = excluded.user,
			ended = excluded.ended, updated_ms = excluded.updated_ms`,
		f.Path, int64(f.Dev), int64(f.Ino), f.Offset, f.Line, f.Skipping, f.User, f.Ended, f.Updated.UnixMilli())
	return err
}

type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// column returns the first column of every row of the query.
func column(ctx context.Context, q rowsQuerier, query string, args ...any) ([]string, error) {
	var out []string
	err := sqlx.Each(ctx, q, query, args, func(r *sql.Rows) error {
		var v string
		if err := r.Scan(&v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}
