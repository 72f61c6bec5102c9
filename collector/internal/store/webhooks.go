package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Audit actions of notifications and reclaim.
const (
	ActionWebhookAdd    = "webhook.add"
	ActionWebhookDelete = "webhook.delete"
	ActionReclaimSet    = "reclaim.set"
	ActionReclaimOff    = "reclaim.off"
	ActionReclaimNotice = "reclaim.notice"
	ActionReclaimKeep   = "reclaim.keep"
)

// Webhook is one receiver of a team's messages.
type Webhook struct {
	ID        string `json:"id"`
	Team      string `json:"team"`
	URL       string `json:"url"`
	Kind      string `json:"kind"` // slack, teams or generic
	Secret    string `json:"secret,omitempty"`
	CreatedAt string `json:"created_at"`
	CreatedBy string `json:"created_by"`
}

// AddWebhook stores a webhook of w.Team with a new secret (returned in
// it) and audits it.
func (s *Store) AddWebhook(ctx context.Context, w Webhook, now time.Time) (Webhook, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return Webhook{}, err
	}
	w.ID, w.Secret, w.CreatedAt = newID(), hex.EncodeToString(b), stamp(now)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, team, url, kind, secret, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			w.ID, w.Team, w.URL, w.Kind, w.Secret, w.CreatedAt, w.CreatedBy); err != nil {
			return fmt.Errorf("add webhook: %w", err)
		}
		return audit(ctx, tx, w.Team, now, w.CreatedBy, ActionWebhookAdd, "", "", w.Kind+" "+w.ID)
	})
	return w, err
}

// Webhooks lists a team's webhooks without their secrets, oldest first.
func (s *Store) Webhooks(ctx context.Context, team string) ([]Webhook, error) {
	out := []Webhook{}
	err := s.each(ctx, `SELECT id, team, url, kind, created_at, created_by FROM webhooks WHERE team = ? ORDER BY created_at, id`,
		[]any{team}, func(r *sql.Rows) error {
			var w Webhook
			if err := r.Scan(&w.ID, &w.Team, &w.URL, &w.Kind, &w.CreatedAt, &w.CreatedBy); err != nil {
				return err
			}
			out = append(out, w)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return out, nil
}

// Webhook returns one webhook with its secret, or ErrNotFound.
func (s *Store) Webhook(ctx context.Context, id string) (Webhook, error) {
	var w Webhook
	err := s.db.QueryRowContext(ctx, `SELECT id, team, url, kind, secret, created_at, created_by FROM webhooks WHERE id = ?`, id).
		Scan(&w.ID, &w.Team, &w.URL, &w.Kind, &w.Secret, &w.CreatedAt, &w.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("webhook %q: %w", id, ErrNotFound)
	}
	return w, err
}

// DeleteWebhook removes a webhook of team and audits it; ErrNotFound when
// team has none with that id.
func (s *Store) DeleteWebhook(ctx context.Context, team, id, actor string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ? AND team = ?`, id, team)
		if err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("team %s has no webhook %q: %w", team, id, ErrNotFound)
		}
		return audit(ctx, tx, team, now, actor, ActionWebhookDelete, "", "", id)
	})
}
