package store

import (
	"context"
	"database/sql"
)

// WithdrawConsent turns user's consent off and withdraws what they shared:
// every day record of theirs already uploaded, or still holding analytics,
// loses its analytics and is queued again, so the collector, which replaces
// a day by its later upload, drops the analytics it holds.
func (s *Store) WithdrawConsent(ctx context.Context, user string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.setConsent(ctx, tx, user, false); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE days SET analytics = NULL, rev = rev + 1
			WHERE user = ? AND (analytics IS NOT NULL OR sent_rev > 0)`, user)
		return err
	})
}
