package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"teamlens/collector/internal/store"
)

// Deliverer sends the outbox's due messages; the zero values of the
// optional fields are production defaults.
type Deliverer struct {
	Store  *store.Store
	Mailer *Mailer          // nil: mail waits in the outbox for a collector with SMTP
	HTTP   *http.Client     // default one with a 30s timeout, no redirects
	Now    func() time.Time // default time.Now
	Logger *slog.Logger     // default discards
	// Owner names this deliverer's leases; default random per Deliverer.
	Owner string
	// Lease is how long a claimed message is this deliverer's; it must
	// outlast one send (the mailer's and HTTP timeouts). Default 5 minutes.
	Lease time.Duration
	// MaxAttempts is how many sends of a message are tried before it is
	// given up as failed; default 8 (back-off 1m, 2m, 4m ... up to 6h).
	MaxAttempts int
	Batch       int // messages claimed at once; default 50
}

// Result counts what one Deliver did.
type Result struct {
	Sent, Retrying, Failed, Cancelled int
}

func (d *Deliverer) defaults() {
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Owner == "" {
		b := make([]byte, 8)
		rand.Read(b)
		d.Owner = hex.EncodeToString(b)
	}
	if d.Lease <= 0 {
		d.Lease = 5 * time.Minute
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = 8
	}
	if d.Batch <= 0 {
		d.Batch = 50
	}
}

// Backoff is the wait after a message's attempt-th failed send.
func Backoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 10 {
		return 6 * time.Hour
	}
	return min(time.Minute<<(attempt-1), 6*time.Hour)
}

// Deliver claims the due messages and sends each, until none is due.
func (d *Deliverer) Deliver(ctx context.Context) (Result, error) {
	d.defaults()
	var res Result
	for {
		msgs, err := d.Store.Claim(ctx, d.Owner, d.Now(), d.Lease, d.Batch, d.Mailer != nil)
		if err != nil || len(msgs) == 0 {
			return res, err
		}
		for _, m := range msgs {
			if err := d.one(ctx, m, &res); err != nil {
				return res, err
			}
		}
	}
}

// one sends m and records the outcome; only a database error is returned.
func (d *Deliverer) one(ctx context.Context, m store.Message, res *Result) error {
	err := d.send(ctx, m)
	now := d.Now()
	var settle error
	switch {
	case errors.Is(err, errNowhere):
		settle = d.Store.MarkCancelled(ctx, m.ID, d.Owner, err.Error())
		res.Cancelled++
	case err == nil:
		settle = d.Store.MarkSent(ctx, m.ID, d.Owner, now)
		res.Sent++
		d.Logger.Info("message sent", "id", m.ID, "kind", m.Kind, "channel", m.Channel, "team", m.Team)
	default:
		final := m.Attempts >= d.MaxAttempts
		settle = d.Store.MarkRetry(ctx, m.ID, d.Owner, err.Error(), now.Add(Backoff(m.Attempts)), final)
		if final {
			res.Failed++
			d.Logger.Error("message given up", "id", m.ID, "kind", m.Kind, "channel", m.Channel, "attempts", m.Attempts, "err", err)
		} else {
			res.Retrying++
			d.Logger.Warn("message not sent, will retry", "id", m.ID, "kind", m.Kind, "channel", m.Channel, "attempts", m.Attempts, "err", err)
		}
	}
	if errors.Is(settle, store.ErrLeaseLost) {
		d.Logger.Warn("outbox lease ran out during a send", "id", m.ID)
		return nil
	}
	return settle
}

var errNowhere = errors.New("its webhook was deleted")

func (d *Deliverer) send(ctx context.Context, m store.Message) error {
	switch m.Channel {
	case store.ChannelMail:
		raw, err := d.Mailer.Build(Mail{To: m.Recipient, Subject: m.Subject, Body: m.Body, AttachmentName: m.AttachmentName,
			Attachment: m.Attachment, Key: m.Key, Date: d.Now()})
		if err != nil {
			return err
		}
		return d.Mailer.Send(ctx, m.Recipient, raw)
	case store.ChannelWebhook:
		w, err := d.Store.Webhook(ctx, m.Recipient)
		if errors.Is(err, store.ErrNotFound) {
			return errNowhere
		}
		if err != nil {
			return err
		}
		return post(ctx, d.HTTP, w, m)
	}
	return errors.New("unknown channel " + m.Channel)
}
