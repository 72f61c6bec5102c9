// Package lograte keeps a repeated log line from filling the disk: each
// message may be logged a few times per period; the rest are counted and
// reported once when the next period begins.
package lograte

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Handler passes at most Burst records of one message per Period to the
// next handler.
type Handler struct {
	next   slog.Handler
	burst  int
	period time.Duration
	now    func() time.Time
	state  *state
}

type state struct {
	mu    sync.Mutex
	count map[string]*window
}

type window struct {
	start      time.Time
	logged     int
	suppressed int
	level      slog.Level
}

// Options are the handler's seams; the zero value is production: 10
// records per message per minute.
type Options struct {
	Burst  int
	Period time.Duration
	Now    func() time.Time
}

// New wraps next.
func New(next slog.Handler, opt Options) *Handler {
	h := &Handler{next: next, burst: opt.Burst, period: opt.Period, now: opt.Now, state: &state{count: map[string]*window{}}}
	if h.burst <= 0 {
		h.burst = 10
	}
	if h.period <= 0 {
		h.period = time.Minute
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h
}

// Enabled reports what the next handler does.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle logs r unless its message used up its burst this period.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	now := h.now()
	h.state.mu.Lock()
	w := h.state.count[r.Message]
	var report int
	if w == nil || now.Sub(w.start) >= h.period {
		if w != nil {
			report = w.suppressed
		}
		w = &window{start: now, level: r.Level}
		h.state.count[r.Message] = w
		h.sweep(now)
	}
	w.logged++
	pass := w.logged <= h.burst
	if !pass {
		w.suppressed++
	}
	h.state.mu.Unlock()
	if report > 0 {
		s := slog.NewRecord(now, r.Level, "repeated log lines suppressed", 0)
		s.AddAttrs(slog.String("message", r.Message), slog.Int("count", report))
		if err := h.next.Handle(ctx, s); err != nil {
			return err
		}
	}
	if !pass {
		return nil
	}
	return h.next.Handle(ctx, r)
}

// sweep forgets messages quiet for a whole period, so the map holds only
// recent ones. Called with the lock held.
func (h *Handler) sweep(now time.Time) {
	if len(h.state.count) < 1024 {
		return
	}
	for msg, w := range h.state.count {
		if now.Sub(w.start) >= h.period {
			delete(h.state.count, msg)
		}
	}
}

// WithAttrs shares the limits with the derived handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.next = h.next.WithAttrs(as)
	return &c
}

// WithGroup shares the limits with the derived handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	return &c
}
