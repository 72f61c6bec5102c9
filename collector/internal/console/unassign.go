package console

import (
	"net/http"
)

func (h *Handler) unassign(w http.ResponseWriter, r *http.Request, q *request) {
	team, sub, email := r.PathValue("team"), r.PostFormValue("subscription"), r.PostFormValue("email")
	if err := h.cfg.Teams.Unassign(r.Context(), q.who, team, sub, email); err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, team, "unassigned", 1)
}
