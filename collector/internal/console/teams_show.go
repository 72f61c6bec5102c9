package console

import (
	"net/http"

	"teamlens/collector/internal/teams"
)

func (h *Handler) home(w http.ResponseWriter, r *http.Request, q *request) {
	http.Redirect(w, r, "/teams", http.StatusSeeOther)
}

func (h *Handler) teamsShow(w http.ResponseWriter, r *http.Request, q *request) {
	ts, err := h.cfg.Teams.Teams(r.Context(), q.who)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "teams", q.view("Your teams", teams.Team{}, ts))
}

// view wraps a page's data with what the layout shows.
func (q *request) view(title string, t teams.Team, page any) view {
	name := t.Name
	if name == "" {
		name = t.Team
	}
	return view{Title: title, Email: q.who.Email, CSRF: q.session.CSRF, TeamID: t.Team, TeamName: name, Page: page}
}

// fail answers an error of the teams service as a page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch status := teams.Status(err); status {
	case http.StatusForbidden:
		h.errorPage(w, r, status, "Your role does not allow this. Team insights are for the team's primary, secondary and SSO admins; changing seats for primary and secondary admins; managing tokens for primary admins.")
	case http.StatusNotFound, http.StatusConflict, http.StatusBadRequest:
		h.errorPage(w, r, status, err.Error())
	default:
		h.serverError(w, r, err)
	}
}

// team returns the team of the path as who may read it, answering itself
// when they may not.
func (h *Handler) team(w http.ResponseWriter, r *http.Request, q *request) (teams.Team, bool) {
	t, err := h.cfg.Teams.Team(r.Context(), q.who, r.PathValue("team"))
	if err != nil {
		h.fail(w, r, err)
		return teams.Team{}, false
	}
	return t, true
}
