package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"teamlens/collector/internal/store"
)

type signInPage struct {
	Error    string
	CSRF     string
	Provider string // "Sign in with ..." when OIDC is configured
}

// signInPage is the sign-in page's data with an error message (or "").
func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request, msg string) signInPage {
	p := signInPage{Error: msg, CSRF: h.signInCSRF(w, r)}
	if h.cfg.OIDC != nil {
		p.Provider = h.cfg.OIDC.Name()
	}
	return p
}

// signInCSRF returns the sign-in form's CSRF token: the one its cookie
// holds if the console issued it, else a new one.
func (h *Handler) signInCSRF(w http.ResponseWriter, r *http.Request) string {
	if v := h.cookie(r, signInCookie); h.issued(v) {
		return v
	}
	nonce, _, err := store.NewToken()
	if err != nil {
		return ""
	}
	v := nonce + "." + h.sign(nonce)
	h.setCookie(w, r, signInCookie, v, h.cfg.SessionTTL)
	return v
}

// sign is the console's signature of a sign-in nonce.
func (h *Handler) sign(nonce string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("signin\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// issued reports whether v is a sign-in token this console (or a replica
// sharing its database) issued.
func (h *Handler) issued(v string) bool {
	nonce, sig, ok := strings.Cut(v, ".")
	return ok && len(nonce) >= 40 && hmac.Equal([]byte(sig), []byte(h.sign(nonce)))
}

func (h *Handler) signInShow(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "signin", view{Title: "Sign in", Page: h.signInPage(w, r, "")})
}
