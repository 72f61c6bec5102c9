package console

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
)

type notificationsPage struct {
	CanChange  bool
	Policies   []store.Policy
	Products   []string // of the team's subscriptions, for a new policy
	Preview    *teams.ReclaimPreview
	Form       store.Policy // the policy form's values
	Webhooks   []store.Webhook
	Secret     string // of a webhook just added, shown once
	Outbox     []store.Message
	DigestOn   bool
	Recipients []teams.Recipient
	Done       string
	Error      string
}

// notificationsShow is the team's Notifications page: reclaim policies
// and their dry run, webhooks, the outbox and the admin's digest. A dry
// run is ?preview=PRODUCT with the policy form's fields.
func (h *Handler) notificationsShow(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	p, err := h.notificationsPage(r, q, t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := r.URL.Query()
	p.Done = map[string]string{"policy": "Reclaim policy saved.", "off": "Reclaim policy turned off; its open notices are cancelled.",
		"webhook-deleted": "Webhook removed.", "digest": "Digest setting saved."}[v.Get("done")]
	if product := v.Get("preview"); product != "" {
		in, err := reclaimInput(v.Get("inactive_days"), v.Get("notice_days"), v.Get("exclude_days"), v.Get("keep"))
		if err == nil {
			p.Preview, err = h.cfg.Teams.PreviewReclaim(r.Context(), q.who, t.Team, product, in)
		}
		if err != nil {
			if teams.Status(err) != http.StatusBadRequest {
				h.fail(w, r, err)
				return
			}
			p.Error = err.Error()
		} else {
			p.Form = p.Preview.Policy
		}
	}
	h.render(w, r, http.StatusOK, "notifications", q.view("Notifications", t, p))
}

func (h *Handler) notificationsPage(r *http.Request, q *request, t teams.Team) (*notificationsPage, error) {
	ctx := r.Context()
	p := &notificationsPage{CanChange: t.CanChange(),
		Form: store.Policy{InactiveDays: teams.DefaultInactiveDays, NoticeDays: teams.DefaultNoticeDays, ExcludeDays: teams.DefaultExcludeDays}}
	var err error
	if p.Policies, err = h.cfg.Teams.Reclaims(ctx, q.who, t.Team); err != nil {
		return nil, err
	}
	lic, err := h.cfg.Teams.License(ctx, q.who, t.Team, "")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, s := range lic.Subscriptions {
		if !seen[s.Product] {
			seen[s.Product] = true
			p.Products = append(p.Products, s.Product)
		}
	}
	sort.Strings(p.Products)
	if p.CanChange {
		if p.Webhooks, err = h.cfg.Teams.Webhooks(ctx, q.who, t.Team); err != nil {
			return nil, err
		}
		if p.Outbox, err = h.cfg.Teams.Outbox(ctx, q.who, t.Team); err != nil {
			return nil, err
		}
	}
	if p.Recipients, err = h.cfg.Teams.Recipients(ctx, q.who, t.Team); err != nil {
		return nil, err
	}
	p.DigestOn, err = h.cfg.Teams.DigestOn(ctx, q.who)
	return p, err
}

// reclaimInput reads the policy form; empty numbers take the defaults.
func reclaimInput(inactive, notice, exclude, keep string) (*teams.ReclaimInput, error) {
	in := &teams.ReclaimInput{Keep: []string{}}
	for _, f := range []struct {
		v   string
		dst **int
	}{{inactive, &in.InactiveDays}, {notice, &in.NoticeDays}, {exclude, &in.ExcludeDays}} {
		if strings.TrimSpace(f.v) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(f.v))
		if err != nil {
			return nil, &formError{"days must be whole numbers"}
		}
		*f.dst = &n
	}
	for _, e := range strings.FieldsFunc(keep, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' || r == ';' }) {
		in.Keep = append(in.Keep, e)
	}
	return in, nil
}

type formError struct{ msg string }

func (e *formError) Error() string { return e.msg }

// Is makes a form error a bad request of the teams service.
func (e *formError) Is(target error) bool { return target == teams.ErrInvalid }
