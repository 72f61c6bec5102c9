package console

import "net/http"

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, q *request) {
	if err := h.cfg.Store.DeleteSession(r.Context(), q.id, h.cfg.Now()); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
