package console

import (
	"net/http"
	"net/url"

	"teamlens/collector/internal/teams"
)

func notificationsBack(w http.ResponseWriter, r *http.Request, team, done string) {
	http.Redirect(w, r, "/teams/"+url.PathEscape(team)+"/notifications?done="+url.QueryEscape(done), http.StatusSeeOther)
}

// notificationsAgain shows the page again with an error or a new secret.
func (h *Handler) notificationsAgain(w http.ResponseWriter, r *http.Request, q *request, t teams.Team, status int, msg, secret string) {
	p, err := h.notificationsPage(r, q, t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Error, p.Secret = msg, secret
	h.render(w, r, status, "notifications", q.view("Notifications", t, p))
}

// reclaimSave turns on or changes a policy (the same rule as the API's PUT).
func (h *Handler) reclaimSave(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	f := r.PostForm
	in, err := reclaimInput(f.Get("inactive_days"), f.Get("notice_days"), f.Get("exclude_days"), f.Get("keep"))
	if err == nil {
		_, err = h.cfg.Teams.SetReclaim(r.Context(), q.who, t.Team, f.Get("product"), *in)
	}
	if err != nil {
		if teams.Status(err) == http.StatusBadRequest {
			h.notificationsAgain(w, r, q, t, http.StatusBadRequest, err.Error(), "")
			return
		}
		h.fail(w, r, err)
		return
	}
	notificationsBack(w, r, t.Team, "policy")
}

func (h *Handler) reclaimOff(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	if err := h.cfg.Teams.DeleteReclaim(r.Context(), q.who, t.Team, r.PostFormValue("product")); err != nil {
		h.fail(w, r, err)
		return
	}
	notificationsBack(w, r, t.Team, "off")
}

// webhookAdd adds a webhook and shows its secret once.
func (h *Handler) webhookAdd(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	hook, err := h.cfg.Teams.AddWebhook(r.Context(), q.who, t.Team, r.PostFormValue("url"), r.PostFormValue("kind"))
	if err != nil {
		if teams.Status(err) == http.StatusBadRequest {
			h.notificationsAgain(w, r, q, t, http.StatusBadRequest, err.Error(), "")
			return
		}
		h.fail(w, r, err)
		return
	}
	h.notificationsAgain(w, r, q, t, http.StatusOK, "", hook.Secret)
}

func (h *Handler) webhookDelete(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	if err := h.cfg.Teams.DeleteWebhook(r.Context(), q.who, t.Team, r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	notificationsBack(w, r, t.Team, "webhook-deleted")
}

func (h *Handler) digestSave(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	if err := h.cfg.Teams.SetDigest(r.Context(), q.who, t.Team, r.PostFormValue("weekly") == "on"); err != nil {
		h.fail(w, r, err)
		return
	}
	notificationsBack(w, r, t.Team, "digest")
}
