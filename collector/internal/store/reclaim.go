package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ReclaimActor is the audit log's actor of seats the reclaim policy
// removes.
const ReclaimActor = "reclaim-policy"

// Reclaim notice states.
const (
	NoticeOpen      = "open"
	NoticeKept      = "kept"      // the user followed the link
	NoticeUsed      = "used"      // the user used the product again
	NoticeReclaimed = "reclaimed" // the seat was removed
	NoticeCancelled = "cancelled" // policy off, or the seat went another way
)

// Policy is a team's reclaim policy for one product.
type Policy struct {
	Team         string   `json:"team"`
	Product      string   `json:"product"`
	InactiveDays int      `json:"inactive_days"`
	NoticeDays   int      `json:"notice_days"`
	ExcludeDays  int      `json:"exclude_assigned_within_days"`
	Keep         []string `json:"keep"`
	UpdatedAt    string   `json:"updated_at,omitempty"`
	UpdatedBy    string   `json:"updated_by,omitempty"`
}

// SetPolicy turns on (or changes) p and audits it.
func (s *Store) SetPolicy(ctx context.Context, p Policy, now time.Time) error {
	keep := make([]string, 0, len(p.Keep))
	for _, e := range p.Keep {
		keep = append(keep, strings.ToLower(strings.TrimSpace(e)))
	}
	sort.Strings(keep)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO reclaim_policies (team, product, inactive_days, notice_days, exclude_days, keep_list, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (team, product) DO UPDATE SET inactive_days = excluded.inactive_days,
			notice_days = excluded.notice_days, exclude_days = excluded.exclude_days, keep_list = excluded.keep_list,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			p.Team, p.Product, p.InactiveDays, p.NoticeDays, p.ExcludeDays, strings.Join(keep, "\n"), stamp(now), p.UpdatedBy); err != nil {
			return fmt.Errorf("reclaim policy: %w", err)
		}
		detail := fmt.Sprintf("%s: inactive %d days, notice %d days, assigned within %d days excluded, keep %d",
			p.Product, p.InactiveDays, p.NoticeDays, p.ExcludeDays, len(keep))
		return audit(ctx, tx, p.Team, now, p.UpdatedBy, ActionReclaimSet, "", "", detail)
	})
}

// DeletePolicy turns team's policy for product off, cancelling its open
// notices, and audits it; ErrNotFound when there is none.
func (s *Store) DeletePolicy(ctx context.Context, team, product, actor string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM reclaim_policies WHERE team = ? AND product = ?`, team, product)
		if err != nil {
			return fmt.Errorf("reclaim policy: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("team %s has no reclaim policy for %s: %w", team, product, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reclaim_notices SET state = ?, resolved_at = ? WHERE team = ? AND product = ? AND state = ?`,
			NoticeCancelled, stamp(now), team, product, NoticeOpen); err != nil {
			return err
		}
		return audit(ctx, tx, team, now, actor, ActionReclaimOff, "", "", product)
	})
}

// Policies lists the reclaim policies of team (of every team when team is
// ""), by team and product.
func (s *Store) Policies(ctx context.Context, team string) ([]Policy, error) {
	q, args := `SELECT team, product, inactive_days, notice_days, exclude_days, keep_list, updated_at, updated_by FROM reclaim_policies`, []any{}
	if team != "" {
		q, args = q+` WHERE team = ?`, []any{team}
	}
	out := []Policy{}
	err := s.each(ctx, q+` ORDER BY team, product`, args, func(r *sql.Rows) error {
		var p Policy
		var keep string
		if err := r.Scan(&p.Team, &p.Product, &p.InactiveDays, &p.NoticeDays, &p.ExcludeDays, &keep, &p.UpdatedAt, &p.UpdatedBy); err != nil {
			return err
		}
		p.Keep = []string{}
		if keep != "" {
			p.Keep = strings.Split(keep, "\n")
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reclaim policies: %w", err)
	}
	return out, nil
}

// Notice is one reclaim notice.
type Notice struct {
	ID           string `json:"id"`
	Team         string `json:"team"`
	Product      string `json:"product"`
	Subscription string `json:"subscription"`
	Email        string `json:"email"`
	NoticedOn    string `json:"noticed_on"`
	ExpiresOn    string `json:"expires_on"` // the seat goes on this day unless kept
	State        string `json:"state"`
	ResolvedAt   string `json:"resolved_at,omitempty"`
}

const noticeColumns = `id, team, product, subscription, email, noticed_on, expires_on, state, COALESCE(resolved_at, '')`

func scanNotice(r interface{ Scan(...any) error }) (Notice, error) {
	var n Notice
	err := r.Scan(&n.ID, &n.Team, &n.Product, &n.Subscription, &n.Email, &n.NoticedOn, &n.ExpiresOn, &n.State, &n.ResolvedAt)
	return n, err
}

// Notices lists team's notices for product, newest first.
func (s *Store) Notices(ctx context.Context, team, product string) ([]Notice, error) {
	out := []Notice{}
	err := s.each(ctx, `SELECT `+noticeColumns+` FROM reclaim_notices WHERE team = ? AND product = ? ORDER BY noticed_on DESC, email`,
		[]any{team, product}, func(r *sql.Rows) error {
			n, err := scanNotice(r)
			if err != nil {
				return err
			}
			out = append(out, n)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("reclaim notices: %w", err)
	}
	return out, nil
}

// OpenNotice records a notice of a user and product, covering the seats
// of subscriptions (n.Subscription is the first), and, in the same
// transaction, the messages telling it; tokenHash is the stored form of
// the link's token. A user with an open notice of the product gets no
// second one: it returns false then.
func (s *Store) OpenNotice(ctx context.Context, n Notice, subscriptions []string, tokenHash string, msgs func(id string) []Message, now time.Time) (bool, error) {
	opened := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var k int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reclaim_notices WHERE team = ? AND product = ? AND email = ? AND state = ?`,
			n.Team, n.Product, n.Email, NoticeOpen).Scan(&k); err != nil {
			return err
		}
		if k > 0 {
			return nil
		}
		n.ID = newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO reclaim_notices (id, team, product, subscription, email, token_hash, noticed_on, expires_on, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, n.Team, n.Product, n.Subscription, n.Email, tokenHash, n.NoticedOn, n.ExpiresOn, NoticeOpen); err != nil {
			return fmt.Errorf("reclaim notice: %w", err)
		}
		if _, err := enqueue(ctx, tx, msgs(n.ID), now); err != nil {
			return err
		}
		opened = true
		detail := "seat goes on " + n.ExpiresOn + " unless kept"
		if len(subscriptions) > 1 {
			detail = "seats of " + strings.Join(subscriptions, ", ") + " go on " + n.ExpiresOn + " unless kept"
		}
		return audit(ctx, tx, n.Team, now, ReclaimActor, ActionReclaimNotice, n.Subscription, n.Email, detail)
	})
	return opened, err
}

// ErrNoticeGone is a keep link that is unknown, used or past its notice.
var ErrNoticeGone = errors.New("this link is unknown, used already or past its notice")

// KeepSeat answers a notice's link: the notice is kept and the seat stays.
// The link works once, until the notice ends (before its expires_on).
func (s *Store) KeepSeat(ctx context.Context, tokenHash, today string, now time.Time) (Notice, error) {
	var n Notice
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = scanNotice(tx.QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM reclaim_notices WHERE token_hash = ?`+s.forUpdate(), tokenHash))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (n.State != NoticeOpen || today >= n.ExpiresOn)) {
			return ErrNoticeGone
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reclaim_notices SET state = ?, resolved_at = ? WHERE id = ?`, NoticeKept, stamp(now), n.ID); err != nil {
			return err
		}
		n.State = NoticeKept
		return audit(ctx, tx, n.Team, now, n.Email, ActionReclaimKeep, n.Subscription, n.Email, "answered the notice of "+n.NoticedOn+": still needed")
	})
	return n, err
}

// OpenNotices lists the open notices of every team.
func (s *Store) OpenNotices(ctx context.Context) ([]Notice, error) {
	var out []Notice
	err := s.each(ctx, `SELECT `+noticeColumns+` FROM reclaim_notices WHERE state = ? ORDER BY team, expires_on, email`,
		[]any{NoticeOpen}, func(r *sql.Rows) error {
			n, err := scanNotice(r)
			if err != nil {
				return err
			}
			out = append(out, n)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("reclaim notices: %w", err)
	}
	return out, nil
}

// ResolveNotice closes an open notice as state without touching the seat.
func (s *Store) ResolveNotice(ctx context.Context, id, state string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE reclaim_notices SET state = ?, resolved_at = ? WHERE id = ? AND state = ?`, state, stamp(now), id, NoticeOpen)
	return err
}

// Outcomes of ReclaimSeat.
const (
	SeatReclaimed = "reclaimed"
	SeatWaiting   = "waiting"   // the notice mail is not out, or was late: the notice runs on
	SeatCancelled = "cancelled" // seat gone, or the notice mail given up (a new notice follows)
)

// ReclaimSeat removes the seats of subscriptions an open notice covers
// (the Unassign path, each audited as reclaim-policy with why), closes
// the notice and enqueues the
// messages telling it, all in one transaction. No seat goes unless the
// notice mail (outbox key noticeKey) was delivered a whole notice before
// today: a late mail moves the notice's end, one not yet sent holds it,
// one given up cancels the notice. Seats all gone already cancel it too.
func (s *Store) ReclaimSeat(ctx context.Context, n Notice, subscriptions []string, noticeDays int, noticeKey, why, today string, msgs []Message, now time.Time) (string, error) {
	outcome := ""
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanNotice(tx.QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM reclaim_notices WHERE id = ?`+s.forUpdate(), n.ID))
		if err != nil {
			return err
		}
		if cur.State != NoticeOpen {
			outcome = cur.State
			return nil
		}
		var state, sentAt string
		err = tx.QueryRowContext(ctx, `SELECT state, COALESCE(sent_at, '') FROM outbox WHERE msg_key = ?`, noticeKey).Scan(&state, &sentAt)
		if errors.Is(err, sql.ErrNoRows) {
			state, err = OutboxCancelled, nil
		}
		if err != nil {
			return err
		}
		closeAs := func(st string) error {
			_, err := tx.ExecContext(ctx, `UPDATE reclaim_notices SET state = ?, resolved_at = ? WHERE id = ?`, st, stamp(now), n.ID)
			return err
		}
		switch state {
		case OutboxPending:
			outcome = SeatWaiting
			return nil
		case OutboxFailed, OutboxCancelled:
			outcome = SeatCancelled
			return closeAs(NoticeCancelled)
		}
		if end := lateEnd(sentAt, noticeDays); end > cur.ExpiresOn {
			outcome = SeatWaiting
			_, err := tx.ExecContext(ctx, `UPDATE reclaim_notices SET expires_on = ? WHERE id = ?`, end, n.ID)
			return err
		}
		removed := 0
		for _, sub := range subscriptions {
			c := Change{Team: n.Team, Subscription: sub, Email: n.Email, Actor: ReclaimActor, CanPurchase: true}
			err := unassign(ctx, tx, c, today, now, why)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			removed++
		}
		if removed == 0 {
			outcome = SeatCancelled
			return closeAs(NoticeCancelled)
		}
		if err := closeAs(NoticeReclaimed); err != nil {
			return err
		}
		outcome = SeatReclaimed
		_, err = enqueue(ctx, tx, msgs, now)
		return err
	})
	return outcome, err
}

// lateEnd is the end a notice has when its mail went out at sentAt: a
// whole notice period after the day it was sent.
func lateEnd(sentAt string, noticeDays int) string {
	sent, err := time.Parse("2006-01-02", sentAt[:min(len(sentAt), 10)])
	if err != nil {
		return ""
	}
	return sent.AddDate(0, 0, noticeDays).Format("2006-01-02")
}

// OpenNoticeByToken returns the open notice of a link's token hash that
// can still be answered on today, changing nothing; ErrNoticeGone else.
func (s *Store) OpenNoticeByToken(ctx context.Context, tokenHash, today string) (Notice, error) {
	n, err := scanNotice(s.db.QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM reclaim_notices WHERE token_hash = ?`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (n.State != NoticeOpen || today >= n.ExpiresOn)) {
		return Notice{}, ErrNoticeGone
	}
	return n, err
}
