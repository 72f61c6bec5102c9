package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/limit"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
)

// adminHandler serves an authenticated admin; what they may do on the team
// of the path is the teams service's decision.
type adminHandler func(w http.ResponseWriter, r *http.Request, who store.Admin)

// admin is the one authentication of every admin route: 401 for no, an
// unknown, a revoked or an expired token.
func (h *Handler) admin(next adminHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.tooManyFailures(w, r) {
			return
		}
		who, err := h.cfg.Teams.Authenticate(r.Context(), bearer(r))
		if errors.Is(err, store.ErrUnauthorized) {
			h.limiter.Fail(limit.Client(r))
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		next(w, r, who)
	}
}

// tooManyFailures answers 429 to a client that sent too many wrong admin
// tokens or enroll secrets lately, before its request is checked at all.
func (h *Handler) tooManyFailures(w http.ResponseWriter, r *http.Request) bool {
	if !h.limiter.Blocked(limit.Client(r)) {
		return false
	}
	h.cfg.Logger.Warn("request refused: too many wrong credentials", "path", r.URL.Path, "remote", limit.Client(r))
	w.Header().Set("Retry-After", "300")
	writeError(w, http.StatusTooManyRequests, "too many wrong tokens or secrets from your address; retry in a few minutes")
	return true
}

// fail answers an error of the teams service with its status.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := teams.Status(err)
	switch status {
	case http.StatusInternalServerError:
		h.internal(w, r, err)
	case http.StatusUnauthorized:
		writeError(w, status, "unknown, revoked or expired admin token")
	default:
		writeError(w, status, err.Error())
	}
}

func (h *Handler) listTeams(w http.ResponseWriter, r *http.Request, who store.Admin) {
	ts, err := h.cfg.Teams.Teams(r.Context(), who)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"email": who.Email, "teams": ts})
}

func (h *Handler) team(w http.ResponseWriter, r *http.Request, who store.Admin) {
	l, err := h.cfg.Teams.License(r.Context(), who, r.PathValue("team"), r.URL.Query().Get("as_of"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (h *Handler) insights(w http.ResponseWriter, r *http.Request, who store.Admin) {
	s, err := h.cfg.Teams.Snapshot(r.Context(), who, r.PathValue("team"), r.URL.Query().Get("as_of"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (h *Handler) insightsCSV(w http.ResponseWriter, r *http.Request, who store.Admin) {
	s, err := h.cfg.Teams.Snapshot(r.Context(), who, r.PathValue("team"), r.URL.Query().Get("as_of"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteCSV(w, fmt.Sprintf("insights-%s-%s.csv", s.Team, s.AsOf), insights.CSVHeader(), s.CSVRows())
}

func (h *Handler) usageCSV(w http.ResponseWriter, r *http.Request, who store.Admin) {
	team := r.PathValue("team")
	rows, day, err := h.cfg.Teams.Usage(r.Context(), who, team, r.URL.Query().Get("as_of"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteCSV(w, fmt.Sprintf("usage-%s-%s.csv", team, day), teams.UsageCSVHeader(), teams.UsageCSV(rows))
}

func (h *Handler) cost(w http.ResponseWriter, r *http.Request, who store.Admin) {
	c, err := h.cfg.Teams.Cost(r.Context(), who, r.PathValue("team"), r.URL.Query().Get("as_of"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (h *Handler) costCSV(w http.ResponseWriter, r *http.Request, who store.Admin) {
	c, err := h.cfg.Teams.Cost(r.Context(), who, r.PathValue("team"), r.URL.Query().Get("as_of"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	WriteCSV(w, fmt.Sprintf("cost-%s-%s.csv", c.Team, c.AsOf), teams.CostCSVHeader(), teams.CostCSV(c))
}

func (h *Handler) history(w http.ResponseWriter, r *http.Request, who store.Admin) {
	q := r.URL.Query()
	hist, err := h.cfg.Teams.History(r.Context(), who, r.PathValue("team"), q.Get("from"), q.Get("to"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, hist)
}

func (h *Handler) forecast(w http.ResponseWriter, r *http.Request, who store.Admin) {
	q := r.URL.Query()
	buffer, err := teams.ForecastParam("buffer", q.Get("buffer"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	occasional, err := teams.ForecastParam("occasional_days", q.Get("occasional_days"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := h.cfg.Teams.Forecast(r.Context(), who, r.PathValue("team"), buffer, occasional)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (h *Handler) assign(w http.ResponseWriter, r *http.Request, who store.Admin) {
	var req struct {
		Subscription string `json:"subscription"`
		Email        string `json:"email"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil || req.Subscription == "" || req.Email == "" {
		writeError(w, http.StatusBadRequest, `body is not {"subscription","email"}`)
		return
	}
	if err := h.cfg.Teams.Assign(r.Context(), who, r.PathValue("team"), req.Subscription, req.Email); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, req)
}

func (h *Handler) unassign(w http.ResponseWriter, r *http.Request, who store.Admin) {
	err := h.cfg.Teams.Unassign(r.Context(), who, r.PathValue("team"), r.PathValue("subscription"), r.PathValue("email"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request, who store.Admin) {
	entries, err := h.cfg.Teams.Audit(r.Context(), who, r.PathValue("team"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"team": r.PathValue("team"), "entries": entries})
}
