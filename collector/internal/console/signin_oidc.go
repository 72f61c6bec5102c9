package console

import (
	"errors"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"teamlens/collector/internal/limit"
	"teamlens/collector/internal/oidc"
	"teamlens/collector/internal/proxy"
	"teamlens/collector/internal/store"
)

// oidcCookie binds a started sign-in to the browser that started it: it
// holds the state, which the callback must bring back. SameSite=Lax, since
// the provider's redirect back to us is a cross-site navigation.
const oidcCookie = "teamlens_oidc"

// MaxOIDCStarts is how many sign-ins with the provider one client address
// may start within ten minutes (each is stored until it ends or expires).
const MaxOIDCStarts = 30

// oidcFlowTTL is how long a started sign-in may take at the provider.
const oidcFlowTTL = 10 * time.Minute

// redirectURL is the callback the provider sends the browser to: the
// configured one, else this request's own origin.
func (h *Handler) redirectURL(r *http.Request) string {
	if u := h.cfg.OIDC.RedirectURL(); u != "" {
		return u
	}
	scheme := "http"
	if h.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/signin/oidc/callback"
}

// oidcStart starts a sign-in with the identity provider: a fresh state,
// nonce and PKCE verifier, kept server-side under the state (good once),
// the state also in a cookie of this browser.
func (h *Handler) oidcStart(w http.ResponseWriter, r *http.Request) {
	if h.cfg.OIDC == nil {
		h.notFound(w, r)
		return
	}
	ip := limit.Client(r)
	if h.starts.Blocked(ip) {
		h.cfg.Logger.Warn("console sign-in refused: too many started", "via", "oidc", "remote", ip)
		w.Header().Set("Retry-After", "600")
		h.render(w, r, http.StatusTooManyRequests, "signin", view{Title: "Sign in", Page: h.signInPage(w, r,
			"Too many sign-ins started from your address. Wait a few minutes and try again.")})
		return
	}
	state, _, err1 := store.NewToken()
	nonce, _, err2 := store.NewToken()
	if err := errors.Join(err1, err2); err != nil {
		h.serverError(w, r, err)
		return
	}
	verifier := oauth2.GenerateVerifier()
	u, err := h.cfg.OIDC.AuthURL(r.Context(), h.redirectURL(r), state, nonce, verifier)
	if err != nil {
		h.cfg.Logger.Error("console sign-in: identity provider unreachable", "err", err)
		h.render(w, r, http.StatusBadGateway, "signin", view{Title: "Sign in", Page: h.signInPage(w, r,
			"The identity provider cannot be reached. Try again in a moment, or sign in with an admin token.")})
		return
	}
	now := h.cfg.Now()
	if err := h.cfg.Store.SaveOIDCFlow(r.Context(), state, store.OIDCFlow{Nonce: nonce, Verifier: verifier}, now.Add(oidcFlowTTL)); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.starts.Fail(ip)
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(r, oidcCookie), Value: state, Path: "/", MaxAge: int(oidcFlowTTL.Seconds()),
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// oidcRefuse answers a callback that does not sign anyone in: a clear page
// and a log line with the reason, never a code, token or state.
func (h *Handler) oidcRefuse(w http.ResponseWriter, r *http.Request, status int, reason, msg string) {
	h.cfg.Logger.Warn("console sign-in refused", "via", "oidc", "reason", reason, "remote", limit.Client(r))
	h.clearOIDCCookie(w, r)
	h.render(w, r, status, "signin", view{Title: "Sign in", Page: h.signInPage(w, r, msg)})
}

func (h *Handler) clearOIDCCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(r, oidcCookie), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
}

// oidcCallback ends a sign-in: the state must be this browser's and
// unused, the code is exchanged with the PKCE verifier, the ID token
// verified with its nonce, the email verified; roles come from the
// admin's grants and the role map (read now) for their groups.
func (h *Handler) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if h.cfg.OIDC == nil {
		h.notFound(w, r)
		return
	}
	ip := limit.Client(r)
	if h.limiter.Blocked(ip) {
		w.Header().Set("Retry-After", "300")
		h.oidcRefuse(w, r, http.StatusTooManyRequests, "too many failures", "Too many failed sign-ins from your address. Wait a few minutes and try again.")
		return
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		h.oidcRefuse(w, r, http.StatusUnauthorized, "provider error "+clipReason(e),
			"The identity provider did not sign you in ("+clipReason(e)+"). Try again, or ask your IT department.")
		return
	}
	state := q.Get("state")
	c, err := r.Cookie(h.cookieName(r, oidcCookie))
	if err != nil || !sameSecret(state, c.Value) {
		h.limiter.Fail(ip)
		h.oidcRefuse(w, r, http.StatusForbidden, "state is not this browser's",
			"This sign-in was not started in this browser, or it expired. Start again.")
		return
	}
	now := h.cfg.Now()
	flow, err := h.cfg.Store.TakeOIDCFlow(r.Context(), state, now)
	if errors.Is(err, store.ErrUnauthorized) {
		h.limiter.Fail(ip)
		h.oidcRefuse(w, r, http.StatusForbidden, "state unknown, used or expired",
			"This sign-in was used already or has expired. Start again.")
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	ident, err := h.cfg.OIDC.Exchange(r.Context(), h.redirectURL(r), q.Get("code"), flow.Verifier, flow.Nonce)
	if reason, ok := oidc.IsRefusal(err); ok {
		h.limiter.Fail(ip)
		h.oidcRefuse(w, r, http.StatusUnauthorized, reason, "The identity provider's answer was refused: "+reason+".")
		return
	}
	if err != nil {
		h.cfg.Logger.Error("console sign-in: identity provider unreachable", "err", err)
		h.oidcRefuse(w, r, http.StatusBadGateway, "provider unreachable", "The identity provider cannot be reached. Try again in a moment.")
		return
	}
	rm, err := h.cfg.OIDC.RoleMap()
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	groupRoles := rm.Grants(ident.Email, ident.Groups)
	grants, err := h.cfg.Store.Grants(r.Context(), ident.Email)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if len(oidc.Merge(grants, groupRoles)) == 0 {
		h.oidcRefuse(w, r, http.StatusForbidden, "no role for "+ident.Email,
			ident.Email+" holds no role in Teamlens. Ask a primary admin of your team to grant you one.")
		return
	}
	if !h.openSession(w, r, store.NewSession{Email: ident.Email, Source: store.SourceOIDC, Subject: ident.Subject,
		GroupRoles: groupRoles, RefreshToken: ident.RefreshToken}) {
		return
	}
	h.clearOIDCCookie(w, r)
	h.cfg.Logger.Info("console sign-in", "via", "oidc", "admin", ident.Email, "remote", ip, "https", proxy.HTTPS(r))
	// A page, not a redirect: the browser came here from the provider, a
	// cross-site navigation, and would not send the SameSite=Strict session
	// cookie along a redirect of it. The page's own navigation is same-site.
	h.render(w, r, http.StatusOK, "signedin", view{Title: "Signed in", Page: ident.Email})
}

// clipReason keeps a provider's error code printable and short.
func clipReason(s string) string {
	out := make([]rune, 0, 64)
	for _, c := range s {
		if len(out) == 64 {
			break
		}
		if c == '_' || c == '-' || c == ' ' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			out = append(out, c)
		}
	}
	return string(out)
}
