package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"teamlens/collector/internal/limit"
	"teamlens/collector/internal/store"
)

// Cookie names. Under TLS (or --secure-cookies) they carry the __Host-
// prefix, so that a cookie set by another host of the domain, or over plain
// HTTP, cannot stand in for ours.
const (
	sessionCookie = "teamlens_session"
	// signInCookie carries the sign-in form's CSRF token before there is a
	// session to hold it (double submit). Its value is one the console
	// issued and signed: a value an attacker planted is refused.
	signInCookie = "teamlens_signin"
)

// cookieName is the name a cookie has on r's connection.
func (h *Handler) cookieName(r *http.Request, base string) string {
	if h.secure(r) {
		return "__Host-" + base
	}
	return base
}

// cookie returns the value of r's cookie base, or "".
func (h *Handler) cookie(r *http.Request, base string) string {
	c, err := r.Cookie(h.cookieName(r, base))
	if err != nil {
		return ""
	}
	return c.Value
}

// request is what an authenticated page handler gets.
type request struct {
	who     store.Admin
	session store.Session
	id      string // session id, for sign-out
}

type pageHandler func(w http.ResponseWriter, r *http.Request, q *request)

// auth lets a request through with a live session whose admin token is
// still valid. No session cookie: off to /signin. A cookie whose session
// ended or whose token was revoked or expired: 401, and the cookie goes.
func (h *Handler) auth(next pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := h.cookie(r, sessionCookie)
		if id == "" {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		now := h.cfg.Now()
		sess, err := h.cfg.Store.SessionByID(r.Context(), id, now)
		var who store.Admin
		if err == nil {
			who, err = h.cfg.Store.AdminByTokenID(r.Context(), sess.TokenID, now)
		}
		if errors.Is(err, store.ErrUnauthorized) {
			h.clearCookie(w, r, sessionCookie)
			h.render(w, r, http.StatusUnauthorized, "signin", signInPage{
				Error: "Your session has ended, or its token was revoked or has expired. Sign in again.", CSRF: h.signInCSRF(w, r)})
			return
		}
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		next(w, r, &request{who: who, session: sess, id: id})
	}
}

// csrf refuses a POST whose csrf field (or X-Csrf-Token header) is not the
// session's, compared in constant time.
func (h *Handler) csrf(next pageHandler) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, q *request) {
		got := r.Header.Get("X-Csrf-Token")
		if got == "" {
			got = r.PostFormValue("csrf")
		}
		if !sameSecret(got, q.session.CSRF) {
			h.cfg.Logger.Warn("console request refused: missing or wrong csrf", "path", r.URL.Path, "remote", limit.Client(r))
			h.errorPage(w, r, http.StatusForbidden, "This form has expired or did not come from this console. Go back, reload the page and try again.")
			return
		}
		next(w, r, q)
	}
}

func sameSecret(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (h *Handler) secure(r *http.Request) bool { return h.cfg.Secure || r.TLS != nil }

// setCookie sets a cookie that lasts ttl. Max-Age alone says how long: a
// browser counts it from its own clock, so the cookie never depends on two
// clocks agreeing (Expires, from ours, would be read against the browser's).
func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(r, name), Value: value, Path: "/",
		MaxAge: max(1, int(ttl.Seconds())), HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteStrictMode})
}

func (h *Handler) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(r, name), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteStrictMode})
}
