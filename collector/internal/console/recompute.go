package console

import (
	"net/http"
	"net/url"
)

func (h *Handler) recompute(w http.ResponseWriter, r *http.Request, q *request) {
	team := r.PathValue("team")
	if _, err := h.cfg.Teams.Recompute(r.Context(), q.who, team); err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, team, "Insights recomputed for today.")
}

// back sends the admin to the team page with a notice of what was done.
func back(w http.ResponseWriter, r *http.Request, team, notice string) {
	http.Redirect(w, r, "/teams/"+url.PathEscape(team)+"?done="+url.QueryEscape(notice), http.StatusSeeOther)
}
