package console

import (
	"errors"
	"net/http"

	"teamlens/collector/internal/limit"
	"teamlens/collector/internal/store"
)

// signInCheck exchanges an admin token for a session. Failures are logged
// with the client's address and never the token; too many from one
// address in the window are refused unchecked.
func (h *Handler) signInCheck(w http.ResponseWriter, r *http.Request) {
	ip := limit.Client(r)
	issued := h.cookie(r, signInCookie)
	if !h.issued(issued) || !sameSecret(r.PostFormValue("csrf"), issued) {
		h.cfg.Logger.Warn("console sign-in refused: missing or wrong csrf", "remote", ip)
		h.render(w, r, http.StatusForbidden, "signin", view{Title: "Sign in", Page: signInPage{
			Error: "The sign-in form expired. Try again.", CSRF: h.signInCSRF(w, r)}})
		return
	}
	if h.limiter.Blocked(ip) {
		h.cfg.Logger.Warn("console sign-in refused: too many failures", "remote", ip)
		w.Header().Set("Retry-After", "300")
		h.render(w, r, http.StatusTooManyRequests, "signin", view{Title: "Sign in", Page: signInPage{
			Error: "Too many failed sign-ins from your address. Wait a few minutes and try again.", CSRF: issued}})
		return
	}
	who, err := h.cfg.Teams.Authenticate(r.Context(), r.PostFormValue("token"))
	if errors.Is(err, store.ErrUnauthorized) {
		h.limiter.Fail(ip)
		h.cfg.Logger.Warn("console sign-in failed", "remote", ip, "reason", "unknown, revoked or expired token")
		h.render(w, r, http.StatusUnauthorized, "signin", view{Title: "Sign in", Page: signInPage{
			Error: "That token is unknown, revoked or expired.", CSRF: issued}})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := h.cfg.Now()
	expires := now.Add(h.cfg.SessionTTL)
	id, _, err := h.cfg.Store.CreateSession(r.Context(), who.TokenID, expires, now)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.clearCookie(w, r, signInCookie)
	h.setCookie(w, r, sessionCookie, id, h.cfg.SessionTTL)
	h.cfg.Logger.Info("console sign-in", "admin", who.Email, "token", who.TokenID, "remote", ip)
	http.Redirect(w, r, "/teams", http.StatusSeeOther)
}
