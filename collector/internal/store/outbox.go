package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Outbox channels and states.
const (
	ChannelMail    = "mail"
	ChannelWebhook = "webhook"

	OutboxPending   = "pending"
	OutboxSent      = "sent"
	OutboxFailed    = "failed"    // gave up after the last attempt
	OutboxCancelled = "cancelled" // its webhook was deleted
)

// Message is one message for one recipient in the outbox.
type Message struct {
	ID string `json:"id"`
	// Key is unique: a message with the key of one already in the outbox is
	// not added again (once per occurrence).
	Key       string `json:"key"`
	Team      string `json:"team"`
	Kind      string `json:"kind"`    // what it tells: reclaim.notice, alert.seats, digest...
	Channel   string `json:"channel"` // mail or webhook
	Recipient string `json:"recipient"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	// AttachmentName and Attachment, when set, are a text file sent with a mail.
	AttachmentName string `json:"-"`
	Attachment     string `json:"-"`
	CreatedAt      string `json:"created_at"`
	State          string `json:"state"`
	Attempts       int    `json:"attempts"`
	NextAt         string `json:"next_at"`
	LastError      string `json:"last_error,omitempty"`
	SentAt         string `json:"sent_at,omitempty"`
}

// Enqueue adds messages to the outbox, skipping those whose key is there
// already, and returns how many it added.
func (s *Store) Enqueue(ctx context.Context, msgs []Message, now time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = enqueue(ctx, tx, msgs, now)
		return err
	})
	return n, err
}

// enqueue adds messages inside the transaction of the decision they tell.
func enqueue(ctx context.Context, tx *sql.Tx, msgs []Message, now time.Time) (int, error) {
	added := 0
	for _, m := range msgs {
		if m.Key == "" || m.Channel == "" || m.Recipient == "" {
			return added, fmt.Errorf("outbox: message without key, channel or recipient")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, msg_key, team, kind, channel, recipient, subject, body,
			attachment_name, attachment, created_at, state, next_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (msg_key) DO NOTHING`,
			newID()+newID(), m.Key, m.Team, m.Kind, m.Channel, m.Recipient, m.Subject, m.Body,
			m.AttachmentName, m.Attachment, auditStamp(now), OutboxPending, auditStamp(now))
		if err != nil {
			return added, fmt.Errorf("outbox: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added++
		}
	}
	return added, nil
}

const outboxColumns = `id, msg_key, team, kind, channel, recipient, subject, body, attachment_name, attachment,
	created_at, state, attempts, next_at, last_error, COALESCE(sent_at, '')`

func scanMessage(r interface{ Scan(...any) error }) (Message, error) {
	var m Message
	err := r.Scan(&m.ID, &m.Key, &m.Team, &m.Kind, &m.Channel, &m.Recipient, &m.Subject, &m.Body, &m.AttachmentName, &m.Attachment,
		&m.CreatedAt, &m.State, &m.Attempts, &m.NextAt, &m.LastError, &m.SentAt)
	return m, err
}

// Claim leases up to limit pending messages that are due at now and not
// leased by a live deliverer, for owner until now+lease, and counts the
// attempt. A deliverer that dies holding a lease loses it when it runs
// out, and the message is claimed again.
// Without withMail, mail is left for a collector that can send it.
func (s *Store) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int, withMail bool) ([]Message, error) {
	var out []Message
	skip, channel := "", ""
	if !withMail {
		channel = ` AND channel <> '` + ChannelMail + `'`
	}
	if s.postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	at := auditStamp(now)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
			WHERE state = ? AND next_at <= ? AND (lease_until IS NULL OR lease_until <= ?)`+channel+`
			ORDER BY next_at, id LIMIT ?`+skip, OutboxPending, at, at, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			m, err := scanMessage(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET lease_until = ?, lease_owner = ?, attempts = attempts + 1 WHERE id = ?`,
				auditStamp(now.Add(lease)), owner, out[i].ID); err != nil {
				return err
			}
			out[i].Attempts++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// ErrLeaseLost is a deliverer marking a message whose lease it no longer
// holds (it ran out and another deliverer claimed the message).
var ErrLeaseLost = errors.New("outbox lease lost")

// MarkSent records that owner delivered message id.
func (s *Store) MarkSent(ctx context.Context, id, owner string, now time.Time) error {
	return s.settle(ctx, `UPDATE outbox SET state = ?, sent_at = ?, lease_until = NULL, last_error = ''
		WHERE id = ? AND lease_owner = ? AND state = ?`, OutboxSent, auditStamp(now), id, owner, OutboxPending)
}

// MarkRetry records a failed attempt: the message is due again at next,
// or, when final, given up (failed).
func (s *Store) MarkRetry(ctx context.Context, id, owner, reason string, next time.Time, final bool) error {
	state := OutboxPending
	if final {
		state = OutboxFailed
	}
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return s.settle(ctx, `UPDATE outbox SET state = ?, next_at = ?, lease_until = NULL, last_error = ?
		WHERE id = ? AND lease_owner = ? AND state = ?`, state, auditStamp(next), reason, id, owner, OutboxPending)
}

// MarkCancelled ends a message that has nowhere to go any more.
func (s *Store) MarkCancelled(ctx context.Context, id, owner, reason string) error {
	return s.settle(ctx, `UPDATE outbox SET state = ?, lease_until = NULL, last_error = ?
		WHERE id = ? AND lease_owner = ? AND state = ?`, OutboxCancelled, reason, id, owner, OutboxPending)
}

func (s *Store) settle(ctx context.Context, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Outbox lists a team's messages, newest first, at most limit.
func (s *Store) Outbox(ctx context.Context, team string, limit int) ([]Message, error) {
	out := []Message{}
	err := s.each(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE team = ? ORDER BY created_at DESC, id LIMIT ?`,
		[]any{team, limit}, func(r *sql.Rows) error {
			m, err := scanMessage(r)
			if err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out, nil
}

// PruneOutbox removes messages sent, given up or cancelled before before,
// and returns how many.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM outbox WHERE state <> ? AND created_at < ?`, OutboxPending, auditStamp(before))
	if err != nil {
		return 0, fmt.Errorf("prune outbox: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
