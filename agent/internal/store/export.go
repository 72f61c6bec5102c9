package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"teamlens/agent/internal/ingest"
	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

// Export returns what is stored about user ("" means every user): the
// events in the journal's own shape and the day records in the wire format.
func (s *Store) Export(ctx context.Context, user string) (localclient.Export, error) {
	out := localclient.Export{Events: []json.RawMessage{}}
	rows, err := s.db.QueryContext(ctx, `SELECT body FROM events WHERE ? = '' OR user = ? ORDER BY ts_ms, id`, user, user)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return out, err
		}
		out.Events = append(out.Events, json.RawMessage(body))
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	out.Days, err = s.Days(ctx, user, "", "")
	return out, err
}

// Days returns user's day records ("" for every user) with from <= date <=
// to; an empty bound is open.
func (s *Store) Days(ctx context.Context, user, from, to string) ([]wire.Day, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user, product, version, date, minutes, sessions, analytics FROM days
		WHERE (? = '' OR user = ?) AND (? = '' OR date >= ?) AND (? = '' OR date <= ?)
		ORDER BY date, user, product, version`, user, user, from, from, to, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	days := []wire.Day{}
	for rows.Next() {
		d, err := scanDay(rows)
		if err != nil {
			return nil, err
		}
		days = append(days, d)
	}
	return days, rows.Err()
}

func scanDay(rows *sql.Rows, extra ...any) (wire.Day, error) {
	var d wire.Day
	var analytics sql.NullString
	dest := append([]any{&d.User, &d.Product, &d.Version, &d.Date, &d.Minutes, &d.Sessions, &analytics}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return d, err
	}
	if analytics.Valid {
		d.Analytics = &wire.Analytics{}
		if err := json.Unmarshal([]byte(analytics.String), d.Analytics); err != nil {
			return d, err
		}
	}
	return d, nil
}

// forgetRecords deletes everything stored about user but the reading
// positions. It returns the spool files the user's positions name, for
// the caller to delete: left in the spool they would be read again.
func (s *Store) forgetRecords(ctx context.Context, user string) ([]string, error) {
	var files []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		files, err = column(ctx, tx, `SELECT path FROM files WHERE user = ? AND path NOT LIKE '`+ingest.HashedPrefix+`%'`, user)
		if err != nil {
			return err
		}
		// Files outside the spool (Revit's journals) are not ours to
		// delete: their positions stay, so they are not read again, but no
		// longer name the user.
		if _, err := tx.ExecContext(ctx, `UPDATE files SET user = '' WHERE user = ? AND path LIKE '`+ingest.HashedPrefix+`%'`, user); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM events WHERE user = ?`,
			`DELETE FROM sessions WHERE user = ?`,
			`DELETE FROM days WHERE user = ?`,
			`DELETE FROM consent WHERE user = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, user); err != nil {
				return err
			}
		}
		// The positions stay until the caller has deleted the files: a
		// position dropped before its file would make the file count again.
		return nil
	})
	return files, err
}

// Prune deletes raw events older than retention, then the oldest events
// while the database holds more than maxBytes. Day records are kept: they
// outlive the events they were rolled up from.
func (s *Store) Prune(ctx context.Context, retention time.Duration, maxBytes int64) (int64, error) {
	cutoff := s.now().Add(-retention).UnixMilli()
	res, err := s.db.ExecContext(ctx, `DELETE FROM events WHERE ts_ms < ?`, cutoff)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE last_ms < ?`, cutoff); err != nil {
		return n, err
	}
	for {
		used, err := s.usedBytes(ctx)
		if err != nil || used <= maxBytes {
			return n, err
		}
		res, err := s.db.ExecContext(ctx, `DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY ts_ms LIMIT 10000)`)
		if err != nil {
			return n, err
		}
		k, _ := res.RowsAffected()
		if k == 0 {
			return n, nil
		}
		n += k
	}
}

// usedBytes is the size of the database's pages in use (free pages are
// reused before the file grows).
func (s *Store) usedBytes(ctx context.Context) (int64, error) {
	var pages, free, size int64
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, err
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
		return 0, err
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		return 0, err
	}
	return (pages - free) * size, nil
}

// Forget deletes everything stored about user (events, sessions, day
// records, consent) and the user's spool files, then their reading
// positions, and scrubs the write-ahead log.
func (s *Store) Forget(ctx context.Context, user string) error {
	files, err := s.forgetRecords(ctx, user)
	if err != nil {
		return err
	}
	for _, path := range files {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("forget: %w", err)
		}
		if err := s.RemoveFile(ctx, path); err != nil {
			return err
		}
	}
	return s.scrubWAL(ctx)
}
