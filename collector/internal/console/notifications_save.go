package console

import (
	"context"
	"net/http"
	"net/url"

	"teamlens/collector/internal/teams"
)

// notificationsSave makes one change of a team's Notifications page (the
// same rules as the API): a change the rules refuse shows the page again
// with why; a change that made a secret shows the page with it, once; any
// other goes back to the page saying done.
func (h *Handler) notificationsSave(w http.ResponseWriter, r *http.Request, q *request, done string,
	change func(ctx context.Context, team string) (secret string, err error)) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	secret, err := change(r.Context(), t.Team)
	switch {
	case teams.Status(err) == http.StatusBadRequest:
		h.notificationsAgain(w, r, q, t, http.StatusBadRequest, err.Error(), "")
	case err != nil:
		h.fail(w, r, err)
	case secret != "":
		h.notificationsAgain(w, r, q, t, http.StatusOK, "", secret)
	default:
		http.Redirect(w, r, "/teams/"+url.PathEscape(t.Team)+"/notifications?done="+url.QueryEscape(done), http.StatusSeeOther)
	}
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

// reclaimSave turns on or changes a policy.
func (h *Handler) reclaimSave(w http.ResponseWriter, r *http.Request, q *request) {
	h.notificationsSave(w, r, q, "policy", func(ctx context.Context, team string) (string, error) {
		f := r.PostForm
		in, err := reclaimInput(f.Get("inactive_days"), f.Get("notice_days"), f.Get("exclude_days"), f.Get("keep"))
		if err != nil {
			return "", err
		}
		_, err = h.cfg.Teams.SetReclaim(ctx, q.who, team, f.Get("product"), *in)
		return "", err
	})
}

func (h *Handler) reclaimOff(w http.ResponseWriter, r *http.Request, q *request) {
	h.notificationsSave(w, r, q, "off", func(ctx context.Context, team string) (string, error) {
		return "", h.cfg.Teams.DeleteReclaim(ctx, q.who, team, r.PostFormValue("product"))
	})
}

// webhookAdd adds a webhook and shows its secret once.
func (h *Handler) webhookAdd(w http.ResponseWriter, r *http.Request, q *request) {
	h.notificationsSave(w, r, q, "", func(ctx context.Context, team string) (string, error) {
		hook, err := h.cfg.Teams.AddWebhook(ctx, q.who, team, r.PostFormValue("url"), r.PostFormValue("kind"))
		if err != nil {
			return "", err
		}
		return hook.Secret, nil
	})
}

func (h *Handler) webhookDelete(w http.ResponseWriter, r *http.Request, q *request) {
	h.notificationsSave(w, r, q, "webhook-deleted", func(ctx context.Context, team string) (string, error) {
		return "", h.cfg.Teams.DeleteWebhook(ctx, q.who, team, r.PathValue("id"))
	})
}

func (h *Handler) digestSave(w http.ResponseWriter, r *http.Request, q *request) {
	h.notificationsSave(w, r, q, "digest", func(ctx context.Context, team string) (string, error) {
		return "", h.cfg.Teams.SetDigest(ctx, q.who, team, r.PostFormValue("weekly") == "on")
	})
}
