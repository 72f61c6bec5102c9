package store

import (
	"context"
	"database/sql"
)

// dropUnsentAnalytics removes the analytics of user's days that wait for
// upload, so they are never sent; days already uploaded keep theirs, on
// the collector and here (the consent contract's default "stop sharing
// from now on"). No rev bump: those days are pending already.
func dropUnsentAnalytics(ctx context.Context, tx *sql.Tx, user string) error {
	_, err := tx.ExecContext(ctx, `UPDATE days SET analytics = NULL
		WHERE analytics IS NOT NULL AND user = ? AND rev > sent_rev`, user)
	return err
}

// WithdrawAnalytics turns user's consent off and drops the analytics of
// every one of their days, uploaded or not: the rev bump sends the days
// already uploaded again without analytics, so the collector drops them
// (the consent contract's "stop and withdraw what I shared").
func (s *Store) WithdrawAnalytics(ctx context.Context, user string) error {
	if err := s.SetConsent(ctx, user, false); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error { return dropAnalytics(ctx, tx, user) })
}
