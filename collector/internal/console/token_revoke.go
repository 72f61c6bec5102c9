package console

import (
	"net/http"
	"net/url"
)

func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request, q *request) {
	team := r.PathValue("team")
	if err := h.cfg.Teams.RevokeToken(r.Context(), q.who, team, r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/teams/"+url.PathEscape(team)+"/admins", http.StatusSeeOther)
}
