package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"teamlens/collector/internal/ingest"
	"teamlens/collector/internal/store"
	"teamlens/shared/wire"
)

// DefaultMaxBatchDays caps the days of one upload. The agent sends 500; a
// cap keeps one batch from holding the write lock for seconds (5,000 days
// take about 0.1 s on SQLite), and an agent told 413 halves its batch.
const DefaultMaxBatchDays = 5000

// putDays stores days through the ingest queue and answers the failures
// itself: 503 with Retry-After when the queue is full or the database is
// busy, so load never turns into a 500. It reports whether days were stored.
func (h *Handler) putDays(w http.ResponseWriter, r *http.Request, device string, days []wire.Day, now time.Time) bool {
	err := h.cfg.Ingest.Write(r.Context(), len(days), func(ctx context.Context) error {
		return h.cfg.Store.PutDays(ctx, device, days, now)
	})
	switch {
	case err == nil:
		return true
	case errors.Is(err, ingest.ErrBusy), store.IsBusy(err):
		h.cfg.Logger.Warn("upload refused: collector busy", "device", device, "days", len(days), "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(h.cfg.Ingest.RetryAfter()))
		writeError(w, http.StatusServiceUnavailable, "collector busy, retry later")
	case r.Context().Err() != nil:
		// The client left while waiting: nobody reads an answer.
		writeError(w, http.StatusServiceUnavailable, "request canceled")
	default:
		h.putDaysFailed(w, r, device, err)
	}
	return false
}

// enrollQueued enrolls a device through the upload queue: enrollment
// writes too, and a crowd of new devices must take turns with the uploads
// rather than starve them of SQLite's write lock. A full queue is answered
// here, 503 with Retry-After, and returned as ingest.ErrBusy.
func (h *Handler) enrollQueued(w http.ResponseWriter, r *http.Request, secret, host string) (id, token, via string, err error) {
	err = h.cfg.Ingest.Write(r.Context(), 1, func(ctx context.Context) error {
		var err error
		id, token, via, err = h.enrollDevice(ctx, secret, host)
		return err
	})
	if errors.Is(err, ingest.ErrBusy) {
		w.Header().Set("Retry-After", strconv.Itoa(h.cfg.Ingest.RetryAfter()))
		writeError(w, http.StatusServiceUnavailable, "collector busy, retry later")
	}
	return id, token, via, err
}
