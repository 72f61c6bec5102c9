package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
)

func (h *Handler) addWebhook(w http.ResponseWriter, r *http.Request, who store.Admin) {
	var req struct {
		URL  string `json:"url"`
		Kind string `json:"kind"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil || req.URL == "" || req.Kind == "" {
		writeError(w, http.StatusBadRequest, `body is not {"url","kind":"slack|teams|generic"}`)
		return
	}
	hook, err := h.cfg.Teams.AddWebhook(r.Context(), who, r.PathValue("team"), req.URL, req.Kind)
	h.answer(w, r, http.StatusCreated, hook, err)
}

func (h *Handler) webhooks(w http.ResponseWriter, r *http.Request, who store.Admin) {
	hooks, err := h.cfg.Teams.Webhooks(r.Context(), who, r.PathValue("team"))
	h.answer(w, r, http.StatusOK, teamList(r, "webhooks", hooks), err)
}

func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, who store.Admin) {
	h.answer(w, r, http.StatusNoContent, nil, h.cfg.Teams.DeleteWebhook(r.Context(), who, r.PathValue("team"), r.PathValue("id")))
}

func (h *Handler) reclaims(w http.ResponseWriter, r *http.Request, who store.Admin) {
	ps, err := h.cfg.Teams.Reclaims(r.Context(), who, r.PathValue("team"))
	h.answer(w, r, http.StatusOK, teamList(r, "policies", ps), err)
}

func (h *Handler) setReclaim(w http.ResponseWriter, r *http.Request, who store.Admin) {
	var in teams.ReclaimInput
	dec := json.NewDecoder(io.LimitReader(r.Body, 256<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, `body is not {"inactive_days","notice_days","exclude_assigned_within_days","keep":[emails]}: `+err.Error())
		return
	}
	p, err := h.cfg.Teams.SetReclaim(r.Context(), who, r.PathValue("team"), r.PathValue("product"), in)
	h.answer(w, r, http.StatusOK, p, err)
}

func (h *Handler) deleteReclaim(w http.ResponseWriter, r *http.Request, who store.Admin) {
	h.answer(w, r, http.StatusNoContent, nil, h.cfg.Teams.DeleteReclaim(r.Context(), who, r.PathValue("team"), r.PathValue("product")))
}

// previewReclaim is the dry run of the policy turned on or, with any of
// inactive_days, notice_days, exclude_assigned_within_days or keep
// (comma-separated emails) in the query, of the policy they propose.
func (h *Handler) previewReclaim(w http.ResponseWriter, r *http.Request, who store.Admin) {
	q := r.URL.Query()
	var in *teams.ReclaimInput
	for _, f := range []struct {
		name string
		dst  func(*teams.ReclaimInput) **int
	}{
		{"inactive_days", func(i *teams.ReclaimInput) **int { return &i.InactiveDays }},
		{"notice_days", func(i *teams.ReclaimInput) **int { return &i.NoticeDays }},
		{"exclude_assigned_within_days", func(i *teams.ReclaimInput) **int { return &i.ExcludeDays }},
	} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, f.name+" is not a number")
			return
		}
		if in == nil {
			in = &teams.ReclaimInput{}
		}
		*f.dst(in) = &n
	}
	if v := q.Get("keep"); v != "" {
		if in == nil {
			in = &teams.ReclaimInput{}
		}
		in.Keep = strings.Split(v, ",")
	}
	p, err := h.cfg.Teams.PreviewReclaim(r.Context(), who, r.PathValue("team"), r.PathValue("product"), in)
	h.answer(w, r, http.StatusOK, p, err)
}

func (h *Handler) outbox(w http.ResponseWriter, r *http.Request, who store.Admin) {
	msgs, err := h.cfg.Teams.Outbox(r.Context(), who, r.PathValue("team"))
	h.answer(w, r, http.StatusOK, teamList(r, "messages", msgs), err)
}

// answer writes v (nil: no body) with status, or the failure err.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	switch {
	case err != nil:
		h.fail(w, r, err)
	case v == nil:
		w.WriteHeader(status)
	default:
		writeJSON(w, status, v)
	}
}

// teamList is the body of a list of the path's team: {"team", name: list}.
func teamList(r *http.Request, name string, list any) map[string]any {
	return map[string]any{"team": r.PathValue("team"), name: list}
}
