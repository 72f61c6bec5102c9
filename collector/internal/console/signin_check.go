package console

import (
	"errors"
	"net"
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
		h.render(w, r, http.StatusForbidden, "signin", view{Title: "Sign in", Page: h.signInPage(w, r, "The sign-in form expired. Try again.")})
		return
	}
	if h.limiter.Blocked(ip) {
		h.cfg.Logger.Warn("console sign-in refused: too many failures", "remote", ip)
		w.Header().Set("Retry-After", "300")
		h.render(w, r, http.StatusTooManyRequests, "signin", view{Title: "Sign in", Page: h.signInPage(w, r, "Too many failed sign-ins from your address. Wait a few minutes and try again.")})
		return
	}
	who, err := h.cfg.Teams.Authenticate(r.Context(), r.PostFormValue("token"))
	if errors.Is(err, store.ErrUnauthorized) {
		h.limiter.Fail(ip)
		h.cfg.Logger.Warn("console sign-in failed", "remote", ip, "reason", "unknown, revoked or expired token")
		h.render(w, r, http.StatusUnauthorized, "signin", view{Title: "Sign in", Page: h.signInPage(w, r, "That token is unknown, revoked or expired.")})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !h.openSession(w, r, store.NewSession{TokenID: who.TokenID, Email: who.Email, Source: store.SourceToken}) {
		return
	}
	h.cfg.Logger.Info("console sign-in", "admin", who.Email, "token", who.TokenID, "remote", ip)
	http.Redirect(w, r, "/teams", http.StatusSeeOther)
}

// openSession opens a session of n (its ends, device and address filled
// in here) and sets its cookie; false when it failed and the answer went.
func (h *Handler) openSession(w http.ResponseWriter, r *http.Request, n store.NewSession) bool {
	now := h.cfg.Now()
	n.Expires, n.IdleUntil = now.Add(h.cfg.SessionTTL), now.Add(h.cfg.SessionIdle)
	n.UserAgent, n.Address = r.UserAgent(), clientAddr(r)
	id, _, err := h.cfg.Store.CreateSession(r.Context(), n, now)
	if err != nil {
		h.serverError(w, r, err)
		return false
	}
	h.clearCookie(w, r, signInCookie)
	h.setCookie(w, r, sessionCookie, id, h.cfg.SessionTTL)
	return true
}

// clientAddr is the client's address as the sessions page shows it (the
// proxy's client when a trusted proxy forwarded the request).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
