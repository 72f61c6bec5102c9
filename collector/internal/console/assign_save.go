package console

import (
	"fmt"
	"net/http"

	"teamlens/collector/internal/teams"
)

// assignSave assigns each chosen user in turn; the first refusal (no free
// seat left, say) stops there and says which were assigned.
func (h *Handler) assignSave(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	sub := r.PostFormValue("subscription")
	emails := r.PostForm["email"]
	if len(emails) == 0 {
		h.assignAgain(w, r, q, t, sub, http.StatusBadRequest, "Choose at least one user.")
		return
	}
	for i, e := range emails {
		if err := h.cfg.Teams.Assign(r.Context(), q.who, t.Team, sub, e); err != nil {
			if teams.Status(err) >= 500 || teams.Status(err) == http.StatusForbidden {
				h.fail(w, r, err)
				return
			}
			h.assignAgain(w, r, q, t, sub, teams.Status(err), fmt.Sprintf("Assigned %d of %d: %s: %v", i, len(emails), e, err))
			return
		}
	}
	back(w, r, t.Team, "assigned", len(emails))
}

func (h *Handler) assignAgain(w http.ResponseWriter, r *http.Request, q *request, t teams.Team, sub string, status int, msg string) {
	p, err := h.assignPage(r, q, t.Team, sub)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Error = msg
	h.render(w, r, status, "assign", q.view("Assign users", t, p))
}
