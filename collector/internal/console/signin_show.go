package console

import (
	"net/http"

	"teamlens/collector/internal/store"
)

type signInPage struct {
	Error string
	CSRF  string
}

// signInCSRF returns the sign-in form's CSRF token, from its cookie or a
// new one.
func (h *Handler) signInCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(signInCookie); err == nil && len(c.Value) >= 40 {
		return c.Value
	}
	v, _, err := store.NewToken()
	if err != nil {
		return ""
	}
	h.setCookie(w, r, signInCookie, v, h.cfg.SessionTTL)
	return v
}

func (h *Handler) signInShow(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "signin", view{Title: "Sign in", Page: signInPage{CSRF: h.signInCSRF(w, r)}})
}
