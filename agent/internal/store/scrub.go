package store

import (
	"context"
	"fmt"
	"time"
)

// scrubWAL copies the write-ahead log into the database and truncates it
// to zero bytes. secure_delete has overwritten deleted rows in the pages,
// but the log still holds the pages as they were when the rows were
// written; a truncated log holds nothing. Readers that are active hold the
// log back, so a busy checkpoint is retried for a while.
func (s *Store) scrubWAL(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		var busy, logFrames, checkpointed int
		if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if busy == 0 {
			return nil
		}
		if attempt == 50 {
			return fmt.Errorf("checkpoint: the write-ahead log is still in use; deleted data may remain in it until the next checkpoint")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
