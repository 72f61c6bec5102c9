package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"teamlens/collector/internal/store"
	"teamlens/shared/wire"
)

// enrollDevice registers a device presenting the shared enroll secret (when
// the collector has one) or a minted enrollment token, and says which one
// it used ("secret" or "token <id>") for the log.
func (h *Handler) enrollDevice(ctx context.Context, secret, hostname string) (id, token, via string, err error) {
	if h.cfg.EnrollSecret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(h.cfg.EnrollSecret)) == 1 {
		id, token, err = h.cfg.Store.Enroll(ctx, hostname, h.cfg.Now())
		return id, token, "secret", err
	}
	if !strings.HasPrefix(secret, store.EnrollTokenPrefix) {
		return "", "", "", store.ErrUnauthorized
	}
	id, token, tokenID, err := h.cfg.Store.EnrollWithToken(ctx, secret, hostname, h.cfg.Now())
	return id, token, "token " + tokenID, err
}

// putDaysFailed answers an upload PutDays refused: a batch over the
// per-device user cap is the device's fault (400 naming the day, logged as
// a warning, since a device reporting many users may be forging them); any
// other error is the collector's.
func (h *Handler) putDaysFailed(w http.ResponseWriter, r *http.Request, device string, err error) {
	var capErr *store.UserCapError
	if !errors.As(err, &capErr) {
		h.internal(w, r, err)
		return
	}
	h.cfg.Logger.Warn("upload over the per-device user cap", "device", device, "date", capErr.Date,
		"users", capErr.Users, "max", capErr.Max)
	writeJSON(w, http.StatusBadRequest, wire.Error{Error: capErr.Error(), Day: &capErr.Day})
}
