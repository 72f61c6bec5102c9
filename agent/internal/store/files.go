package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"teamlens/agent/internal/ingest"
	"teamlens/internal/sqlrun"
)

// File returns the stored read position of path.
func (s *Store) File(ctx context.Context, path string) (ingest.Position, bool, error) {
	f := ingest.Position{Path: path}
	var updated int64
	st, err := s.stmts.get(ctx, `SELECT dev, ino, offset, line, skipping, user, ended, updated_ms FROM files WHERE path = ?`)
	if err != nil {
		return f, false, err
	}
	err = st.QueryRowContext(context.WithoutCancel(ctx), path).Scan(&f.Dev, &f.Ino, &f.Offset, &f.Line, &f.Skipping, &f.User, &f.Ended, &updated)
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

const putFileSQL = `INSERT INTO files (path, dev, ino, offset, line, skipping, user, ended, updated_ms)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, offset = excluded.offset,
		line = excluded.line, skipping = excluded.skipping, user = excluded.user,
		ended = excluded.ended, updated_ms = excluded.updated_ms`

// statements are the store's prepared statements, by query.
type statements struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (s *statements) get(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.m[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if s.m == nil {
		s.m = map[string]*sql.Stmt{}
	}
	s.m[query] = st
	return st, nil
}

type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// column returns the first column of every row of the query.
func column(ctx context.Context, q rowsQuerier, query string, args ...any) ([]string, error) {
	var out []string
	err := sqlrun.Each(ctx, q, query, args, func(r *sql.Rows) error {
		var v string
		if err := r.Scan(&v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}
