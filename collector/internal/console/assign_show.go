package console

import (
	"net/http"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/teams"
)

type assignPage struct {
	Sub        teams.Subscription
	Free       int64
	Candidates []license.User
	Error      string
}

// assignShow lists the directory users without a seat of the subscription,
// to pick up to its free seats from.
func (h *Handler) assignShow(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	p, err := h.assignPage(r, q, t.Team, r.URL.Query().Get("subscription"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "assign", q.view("Assign users", t, p))
}

func (h *Handler) assignPage(r *http.Request, q *request, team, sub string) (*assignPage, error) {
	users, err := h.cfg.Teams.Candidates(r.Context(), q.who, team, sub)
	if err != nil {
		return nil, err
	}
	lic, err := h.cfg.Teams.License(r.Context(), q.who, team, "")
	if err != nil {
		return nil, err
	}
	p := &assignPage{Candidates: users}
	for _, s := range lic.Subscriptions {
		if s.Subscription == sub {
			p.Sub = s
			p.Free = max(s.Seats-int64(s.Assigned), 0)
		}
	}
	return p, nil
}
