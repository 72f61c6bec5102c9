// Package watch decides what the admins and users of a team are told:
// reclaim notices and reclaimed seats, alerts once per occurrence, and a
// weekly digest per admin. Every decision enqueues its messages in the
// outbox in the same transaction; package notify delivers them.
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/notify"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
)

// Config configures the passes; zero optional fields are production.
type Config struct {
	Store *store.Store
	Teams *teams.Service // its clock is the passes' clock
	// Mail says mail can be sent: without it no reclaim notice is sent, so
	// no seat is reclaimed (alerts still go to webhooks).
	Mail bool
	// BaseURL is the console's address as users reach it, for the links
	// in notices (https://teamlens.example.com).
	BaseURL string
	Logger  *slog.Logger // default discards
	// SeatsPercent is the share of a subscription's seats assigned that
	// raises the seats alert; default 90.
	SeatsPercent int
	// SilentDays is how long a device may not report before it is an
	// alert; default 7.
	SilentDays int
}

// KeepMessagesDays is how long delivered (or given up) messages are kept.
const KeepMessagesDays = 400

// Watcher runs the passes.
type Watcher struct{ cfg Config }

// New returns a watcher.
func New(cfg Config) *Watcher {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SeatsPercent <= 0 {
		cfg.SeatsPercent = 90
	}
	if cfg.SilentDays <= 0 {
		cfg.SilentDays = 7
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Watcher{cfg: cfg}
}

func (w *Watcher) now() time.Time { return w.cfg.Teams.Now() }

func (w *Watcher) today() string { return w.now().Format(license.DateLayout) }

// Pass runs every pass once: reclaim, alerts, digest. Of several replicas
// one runs it; the others find the work done.
func (w *Watcher) Pass(ctx context.Context) error {
	_, err := w.cfg.Store.TryWithLock(ctx, store.NotifyLockKey, func(ctx context.Context) error {
		if err := w.Reclaim(ctx); err != nil {
			return fmt.Errorf("reclaim: %w", err)
		}
		if err := w.Alerts(ctx); err != nil {
			return fmt.Errorf("alerts: %w", err)
		}
		if err := w.Digest(ctx); err != nil {
			return fmt.Errorf("digest: %w", err)
		}
		// Keys outlive their rows only where no decision repeats: an
		// ending alert's day is long past after KeepMessages.
		_, err := w.cfg.Store.PruneOutbox(ctx, w.now().AddDate(0, 0, -KeepMessagesDays))
		return err
	})
	return err
}

// audience is who hears of a team's events.
type audience struct {
	admins    []store.Grant // primary, secondary and sso
	purchaser []store.Grant // of them, those who may purchase
	hooks     []store.Webhook
}

func (w *Watcher) audience(ctx context.Context, team string) (audience, error) {
	var a audience
	grants, err := w.cfg.Store.Grants(ctx, "")
	if err != nil {
		return a, err
	}
	for _, g := range grants {
		if g.Team != team || g.Role == store.RoleUser {
			continue
		}
		a.admins = append(a.admins, g)
		if g.CanPurchase {
			a.purchaser = append(a.purchaser, g)
		}
	}
	a.hooks, err = w.cfg.Store.Webhooks(ctx, team)
	return a, err
}

func emails(gs []store.Grant) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		out = append(out, g.Email)
	}
	return out
}

// fanout is one message per recipient: mail to each email (when mail can
// be sent), a post to each webhook; each keyed key|channel:recipient.
func (w *Watcher) fanout(key, team, kind, subject, body string, mails []string, hooks []store.Webhook) []store.Message {
	var out []store.Message
	if w.cfg.Mail {
		for _, e := range mails {
			out = append(out, store.Message{Key: key + "|mail:" + e, Team: team, Kind: kind, Channel: store.ChannelMail, Recipient: e, Subject: subject, Body: body})
		}
	}
	for _, h := range hooks {
		out = append(out, store.Message{Key: key + "|webhook:" + h.ID, Team: team, Kind: kind, Channel: store.ChannelWebhook, Recipient: h.ID, Subject: subject, Body: body})
	}
	return out
}

// Runner runs the passes once a day and delivers the outbox every
// Interval until ctx ends.
type Runner struct {
	Watcher   *Watcher
	Deliverer *notify.Deliverer
	Logger    *slog.Logger
	Interval  time.Duration // default 1 minute
}

// passKey is the job state of the day and the store's fingerprint the
// passes last ran on.
const passKey = "notify.last_pass"

// Tick runs the passes if the day or anything they read changed since
// they last ran (a policy turned on is acted on at the next tick, not the
// next day), then delivers: a pass that fails does not hold up the
// messages decided already.
func (r *Runner) Tick(ctx context.Context) error {
	st := r.Watcher.cfg.Store
	fp, err := st.NotifyFingerprint(ctx)
	if err != nil {
		return err
	}
	mark := r.Watcher.today() + " " + fp
	last, err := st.State(ctx, passKey)
	if err == nil && last != mark {
		if err = r.Watcher.Pass(ctx); err == nil {
			// The passes' own writes (a reclaimed seat) change the
			// fingerprint: record the one after them.
			if fp, err = st.NotifyFingerprint(ctx); err == nil {
				err = st.SetState(ctx, passKey, r.Watcher.today()+" "+fp)
			}
		}
	}
	_, derr := r.Deliverer.Deliver(ctx)
	return errors.Join(err, derr)
}

// Run ticks at once and then every Interval; a failed tick is logged and
// tried again at the next.
func (r *Runner) Run(ctx context.Context) {
	every := r.Interval
	if every <= 0 {
		every = time.Minute
	}
	log := r.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := r.Tick(ctx); err != nil && ctx.Err() == nil {
			log.Error("notifications failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
