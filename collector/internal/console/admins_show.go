package console

import (
	"net/http"
	"time"

	"teamlens/collector/internal/teams"
)

type adminsPage struct {
	Admins []teams.Admin
	Now    time.Time
	Token  string // a token just minted, shown once
	For    string
}

func (h *Handler) adminsShow(w http.ResponseWriter, r *http.Request, q *request) {
	h.adminsRender(w, r, q, "", "")
}

func (h *Handler) adminsRender(w http.ResponseWriter, r *http.Request, q *request, token, email string) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	admins, err := h.cfg.Teams.Admins(r.Context(), q.who, t.Team)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "admins", q.view("Admins and tokens", t, adminsPage{Admins: admins, Now: h.cfg.Now(), Token: token, For: email}))
}
