package watch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
)

// KeepPath is the console's path of a notice's link, before the token.
const KeepPath = "/keep/"

// Reclaim applies every team's policies on today: a notice to each new
// candidate, and the seat removed of each notice ended unanswered (the
// user and the team's admins told). Notices of users active again, kept
// on the list since or whose seat went another way are closed.
func (w *Watcher) Reclaim(ctx context.Context) error {
	policies, err := w.cfg.Store.Policies(ctx, "")
	if err != nil {
		return err
	}
	today := w.today()
	for _, p := range policies {
		plan, err := w.cfg.Teams.ReclaimPlan(ctx, p, today)
		if err != nil {
			return err
		}
		if err := w.apply(ctx, p, plan, today); err != nil {
			return fmt.Errorf("team %s, %s: %w", p.Team, p.Product, err)
		}
	}
	return nil
}

func (w *Watcher) apply(ctx context.Context, p store.Policy, plan []teams.ReclaimCandidate, today string) error {
	open, err := w.cfg.Store.Notices(ctx, p.Team, p.Product)
	if err != nil {
		return err
	}
	live := map[string]bool{}
	// A user holding several seats of the product gets one notice for all
	// of them, and loses them together at its end.
	var notify, due [][]teams.ReclaimCandidate
	byUser, byNotice := map[string]int{}, map[string]int{}
	group := func(groups *[][]teams.ReclaimCandidate, index map[string]int, key string, c teams.ReclaimCandidate) {
		i, ok := index[key]
		if !ok {
			i = len(*groups)
			index[key] = i
			*groups = append(*groups, nil)
		}
		(*groups)[i] = append((*groups)[i], c)
	}
	for _, c := range plan {
		switch c.Action {
		case teams.ReclaimNotify:
			group(&notify, byUser, c.Email, c)
		case teams.ReclaimNoticed:
			live[c.NoticeID] = true
		case teams.ReclaimDue:
			live[c.NoticeID] = true
			group(&due, byNotice, c.NoticeID, c)
		}
	}
	for _, seats := range notify {
		if !w.cfg.Mail {
			w.cfg.Logger.Warn("reclaim notice not sent: no SMTP server configured", "team", p.Team, "product", p.Product, "user", seats[0].Email)
			continue
		}
		if err := w.notice(ctx, p, seats, today); err != nil {
			return err
		}
	}
	changed := false
	if len(due) > 0 {
		who, err := w.audience(ctx, p.Team)
		if err != nil {
			return err
		}
		for _, seats := range due {
			done, err := w.reclaim(ctx, p, seats, today, who)
			if err != nil {
				return err
			}
			changed = changed || done
		}
	}
	for _, n := range open {
		if n.State != store.NoticeOpen || live[n.ID] {
			continue
		}
		state := store.NoticeCancelled
		for _, c := range plan {
			if c.NoticeID == n.ID && c.Action == teams.ReclaimActive {
				state = store.NoticeUsed
			}
		}
		if err := w.cfg.Store.ResolveNotice(ctx, n.ID, state, w.now()); err != nil {
			return err
		}
	}
	if changed {
		return w.cfg.Teams.RefreshTeam(ctx, p.Team)
	}
	return nil
}

// notice tells a user that their seats of the product (one candidate
// each, all of one user) go at the end of the notice unless kept.
func (w *Watcher) notice(ctx context.Context, p store.Policy, seats []teams.ReclaimCandidate, today string) error {
	token, hash, err := store.NewToken()
	if err != nil {
		return err
	}
	c, subs := seats[0], subscriptions(seats)
	d, _ := time.Parse(license.DateLayout, today)
	n := store.Notice{Team: p.Team, Product: p.Product, Subscription: c.Subscription, Email: c.Email, NoticedOn: today,
		ExpiresOn: d.AddDate(0, 0, p.NoticeDays).Format(license.DateLayout)}
	subject := fmt.Sprintf("Your %s seat will be removed on %s unless you still need it", p.Product, n.ExpiresOn)
	what, it := fmt.Sprintf("%s seat (subscription %s) looks", p.Product, c.Subscription), "it, the seat"
	if len(subs) > 1 {
		subject = fmt.Sprintf("Your %d %s seats will be removed on %s unless you still need them", len(subs), p.Product, n.ExpiresOn)
		what, it = fmt.Sprintf("%d %s seats (subscriptions %s) look", len(subs), p.Product, strings.Join(subs, ", ")), "them, the seats"
	}
	body := fmt.Sprintf(`Hello %s,

Your %s unused: %s.

Unless you tell us you still need %s will be removed on %s so
that a colleague can have it.

I still need it: %s%s%s

The link works once, without signing in, until %s.
`, nameOr(c), what, reason(c), it, n.ExpiresOn, w.cfg.BaseURL, KeepPath, token, n.ExpiresOn)
	_, err = w.cfg.Store.OpenNotice(ctx, n, subs, hash, func(id string) []store.Message {
		return []store.Message{{Key: noticeKey(id, c.Email), Team: p.Team, Kind: "reclaim.notice",
			Channel: store.ChannelMail, Recipient: c.Email, Subject: subject, Body: body}}
	}, w.now())
	if err == nil {
		w.cfg.Logger.Info("reclaim notice", "team", p.Team, "product", p.Product, "user", c.Email, "seats", len(subs), "expires_on", n.ExpiresOn)
	}
	return err
}

// reclaim removes the seats of one ended notice (one candidate each).
func (w *Watcher) reclaim(ctx context.Context, p store.Policy, seats []teams.ReclaimCandidate, today string, who audience) (bool, error) {
	c, subs := seats[0], subscriptions(seats)
	list := strings.Join(subs, ", ")
	why := fmt.Sprintf("reclaim policy for %s: %s", p.Product, c.Reason)
	subject := fmt.Sprintf("Seat removed: %s of %s (%s)", p.Product, c.Email, list)
	what := fmt.Sprintf("The %s seat of %s (subscription %s) was", p.Product, c.Email, list)
	if len(subs) > 1 {
		subject = fmt.Sprintf("Seats removed: %s of %s (%s)", p.Product, c.Email, list)
		what = fmt.Sprintf("The %d %s seats of %s (subscriptions %s) were", len(subs), p.Product, c.Email, list)
	}
	body := fmt.Sprintf(`%s removed today by the team's reclaim policy:
%s.

Ask an admin of team %s for a seat again if it is needed.
`, what, c.Reason, p.Team)
	key := "reclaim.done:" + c.NoticeID
	msgs := w.fanout(key, p.Team, "reclaim.done", subject, body, append([]string{c.Email}, emails(who.admins)...), who.hooks)
	n := store.Notice{ID: c.NoticeID, Team: p.Team, Product: p.Product, Subscription: c.Subscription, Email: c.Email}
	outcome, err := w.cfg.Store.ReclaimSeat(ctx, n, subs, p.NoticeDays, noticeKey(c.NoticeID, c.Email), why, today, msgs, w.now())
	switch outcome {
	case store.SeatReclaimed:
		w.cfg.Logger.Info("seat reclaimed", "team", p.Team, "product", p.Product, "subscriptions", list, "user", c.Email)
	case store.SeatWaiting:
		w.cfg.Logger.Warn("seat not reclaimed: the notice mail is not delivered, or was late", "team", p.Team, "product", p.Product, "user", c.Email)
	}
	return outcome == store.SeatReclaimed, err
}

func subscriptions(seats []teams.ReclaimCandidate) []string {
	out := make([]string, 0, len(seats))
	for _, c := range seats {
		out = append(out, c.Subscription)
	}
	return out
}

// noticeKey is the outbox key of a notice's mail.
func noticeKey(notice, email string) string { return "reclaim.notice:" + notice + "|mail:" + email }

func nameOr(c teams.ReclaimCandidate) string {
	if c.Name != "" {
		return c.Name
	}
	return c.Email
}

func reason(c teams.ReclaimCandidate) string {
	if c.LastUsed == nil {
		return "it has never been used"
	}
	return "last used on " + *c.LastUsed
}
