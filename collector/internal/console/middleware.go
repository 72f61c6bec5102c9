package console

import (
	"crypto/subtle"
	"errors"
	"hash/fnv"
	"net/http"
	"time"

	"teamlens/collector/internal/limit"
	"teamlens/collector/internal/oidc"
	"teamlens/collector/internal/proxy"
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

// auth lets a request through with a live session (neither idle nor past
// its end) whose admin still holds a role: a token session's token must be
// valid; an OIDC session's groups are re-validated with the provider every
// RoleRecheck. No session cookie: off to /signin. A cookie whose session
// ended: 401, and the cookie goes.
func (h *Handler) auth(next pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := h.cookie(r, sessionCookie)
		if id == "" {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		now := h.cfg.Now()
		h.prune(r, now)
		sess, err := h.cfg.Store.SessionByID(r.Context(), id, now)
		why := "Your session has ended, or its token was revoked or has expired. Sign in again."
		var who store.Admin
		if err == nil {
			who, why, err = h.admin(r, id, sess, now)
		}
		var down *providerDown
		if errors.As(err, &down) {
			h.cfg.Logger.Error("console session re-check failed: identity provider unreachable", "admin", sess.Email, "err", err)
			h.errorPage(w, r, http.StatusServiceUnavailable, "Your identity provider cannot be reached to confirm your access. Try again in a moment.")
			return
		}
		if errors.Is(err, store.ErrUnauthorized) {
			h.clearCookie(w, r, sessionCookie)
			h.render(w, r, http.StatusUnauthorized, "signin", view{Title: "Sign in", Page: h.signInPage(w, r, why)})
			return
		}
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if now.Sub(sess.LastSeenAt) >= touchEvery {
			if err := h.cfg.Store.TouchSession(r.Context(), id, now, now.Add(h.cfg.SessionIdle)); err != nil {
				h.serverError(w, r, err)
				return
			}
		}
		next(w, r, &request{who: who, session: sess, id: id})
	}
}

// touchEvery is how stale a session's "last seen" may get before a request
// writes it again: the idle timeout is this precise.
const touchEvery = 30 * time.Second

// prune deletes ended sessions, at most once a minute.
func (h *Handler) prune(r *http.Request, now time.Time) {
	last := h.pruned.Load()
	if now.Unix()-last < 60 || !h.pruned.CompareAndSwap(last, now.Unix()) {
		return
	}
	if err := h.cfg.Store.PruneSessions(r.Context(), now); err != nil {
		h.cfg.Logger.Error("console: pruning sessions failed", "err", err)
	}
}

// admin returns who a live session is for, with their roles now; when
// they have none (any more) it returns ErrUnauthorized and the reason.
func (h *Handler) admin(r *http.Request, id string, sess store.Session, now time.Time) (store.Admin, string, error) {
	ctx := r.Context()
	if sess.Source == store.SourceToken {
		who, err := h.cfg.Store.AdminByTokenID(ctx, sess.TokenID, now)
		return who, "Your session has ended, or its token was revoked or has expired. Sign in again.", err
	}
	if h.cfg.OIDC == nil {
		return store.Admin{}, "Sign-in with the identity provider is turned off. Sign in with an admin token.", store.ErrUnauthorized
	}
	groupRoles := sess.GroupRoles
	if now.Sub(sess.CheckedAt) >= h.cfg.RoleRecheck {
		var err error
		groupRoles, err = h.recheckOnce(r, id, now)
		if errors.Is(err, store.ErrUnauthorized) { // ended while this request waited
			return store.Admin{}, "Your session has ended. Sign in again.", err
		}
		if reason, ok := oidc.IsRefusal(err); ok {
			h.cfg.Logger.Warn("console session ended at re-check", "admin", sess.Email, "reason", reason, "remote", limit.Client(r))
			h.cfg.Store.DeleteSession(ctx, id, now)
			return store.Admin{}, "Your identity provider no longer confirms your access. Sign in again.", store.ErrUnauthorized
		}
		if err != nil {
			return store.Admin{}, "", err
		}
	}
	grants, err := h.cfg.Store.Grants(ctx, sess.Email)
	if err != nil {
		return store.Admin{}, "", err
	}
	roles := oidc.Merge(grants, groupRoles)
	if len(roles) == 0 {
		h.cfg.Logger.Warn("console session ended: no role left", "admin", sess.Email, "remote", limit.Client(r))
		h.cfg.Store.DeleteSession(ctx, id, now)
		return store.Admin{}, "You no longer hold a role in Teamlens. Ask a primary admin of your team.", store.ErrUnauthorized
	}
	return store.Admin{Email: sess.Email, Roles: roles}, "", nil
}

// providerDown is a re-check that could not reach the provider: the
// session stays, the request is refused, the next one tries again.
type providerDown struct{ err error }

func (p *providerDown) Error() string { return p.err.Error() }
func (p *providerDown) Unwrap() error { return p.err }

// recheckOnce re-checks a session unless a request of the same session
// did while this one waited: the provider rotates refresh tokens, so two
// renewals with one token would end the session.
func (h *Handler) recheckOnce(r *http.Request, id string, now time.Time) ([]store.Grant, error) {
	mu := &h.rechecks[lockStripe(id)]
	mu.Lock()
	defer mu.Unlock()
	sess, err := h.cfg.Store.SessionByID(r.Context(), id, now)
	if err != nil {
		return nil, err
	}
	if now.Sub(sess.CheckedAt) < h.cfg.RoleRecheck {
		return sess.GroupRoles, nil
	}
	return h.recheck(r, id, sess, now)
}

// recheckStripes is how many locks the re-checks of sessions share.
const recheckStripes = 64

func lockStripe(id string) int {
	f := fnv.New32a()
	f.Write([]byte(id))
	return int(f.Sum32() % recheckStripes)
}

// recheck asks the provider who the session's admin is now and which
// roles their groups give them, and stores the answer.
func (h *Handler) recheck(r *http.Request, id string, sess store.Session, now time.Time) ([]store.Grant, error) {
	ident, err := h.cfg.OIDC.Refresh(r.Context(), sess.RefreshToken, sess.Subject)
	if err != nil {
		if _, ok := oidc.IsRefusal(err); ok {
			return nil, err
		}
		return nil, &providerDown{err}
	}
	if ident.Email != sess.Email {
		return nil, &oidc.Refusal{Reason: "the identity provider now names another email"}
	}
	rm, err := h.cfg.OIDC.RoleMap()
	if err != nil {
		return nil, err
	}
	roles := rm.Grants(sess.Email, ident.Groups)
	if err := h.cfg.Store.RecheckSession(r.Context(), id, roles, ident.RefreshToken, now); err != nil {
		return nil, err
	}
	return roles, nil
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

// secure reports whether cookies are Secure (and __Host-): under TLS, behind
// a trusted proxy that says HTTPS, or with --secure-cookies.
func (h *Handler) secure(r *http.Request) bool { return h.cfg.Secure || proxy.HTTPS(r) }

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
