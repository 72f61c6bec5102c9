package console

import (
	"net/http"
	"strings"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/teams"
)

type assignPage struct {
	Sub        teams.Subscription
	Free       int64
	Candidates []license.User
	Query      string // narrows the candidates by name, email or login
	Total      int    // candidates before the query
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
	p.narrow(r.URL.Query().Get("q"))
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

// narrow keeps the candidates whose name, email or login contains query,
// ignoring case: a directory of hundreds is too long to scroll.
func (p *assignPage) narrow(query string) {
	p.Query, p.Total = strings.TrimSpace(query), len(p.Candidates)
	if p.Query == "" {
		return
	}
	want := strings.ToLower(p.Query)
	kept := p.Candidates[:0]
	for _, u := range p.Candidates {
		if strings.Contains(strings.ToLower(u.Name+" "+u.Email+" "+u.Login), want) {
			kept = append(kept, u)
		}
	}
	p.Candidates = kept
}
