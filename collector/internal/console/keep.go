package console

import (
	"errors"
	"net/http"

	"teamlens/collector/internal/store"
)

type keepPage struct {
	Notice *store.Notice // the open notice the link answers
	Token  string
	CSRF   string
	Kept   *store.Notice
	Gone   bool
	Failed string
}

// keepShow is the page of a reclaim notice's link: no sign-in, one button.
// Following the link changes nothing by itself, so a mail scanner that
// opens every link keeps no seat; the button's POST does.
func (h *Handler) keepShow(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	n, err := h.cfg.Teams.Notice(r.Context(), r.PathValue("token"))
	if errors.Is(err, store.ErrNoticeGone) {
		h.render(w, r, http.StatusGone, "keep", view{Title: "Keep your seat", Page: keepPage{Gone: true}})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "keep", view{Title: "Keep your seat", Page: keepPage{Notice: &n, Token: r.PathValue("token"), CSRF: h.signInCSRF(w, r)}})
}

// keepSave answers the notice: the seat stays. The link's token is the
// proof of who asks; the form's csrf that the console served the page.
func (h *Handler) keepSave(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := r.PathValue("token")
	issued := h.cookie(r, signInCookie)
	if !h.issued(issued) || !sameSecret(r.PostFormValue("csrf"), issued) {
		h.render(w, r, http.StatusForbidden, "keep", view{Title: "Keep your seat", Page: keepPage{Token: token, CSRF: h.signInCSRF(w, r),
			Failed: "The form expired. Press the button again."}})
		return
	}
	n, err := h.cfg.Teams.KeepSeat(r.Context(), token)
	if errors.Is(err, store.ErrNoticeGone) {
		h.render(w, r, http.StatusGone, "keep", view{Title: "Keep your seat", Page: keepPage{Gone: true}})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "keep", view{Title: "Seat kept", Page: keepPage{Kept: &n}})
}
