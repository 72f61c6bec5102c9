package teams

import (
	"context"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
)

// Reclaim policy defaults and bounds.
const (
	DefaultInactiveDays = 90
	DefaultNoticeDays   = 14
	DefaultExcludeDays  = 30
	maxPolicyDays       = 3650
)

// ReclaimInput is the body of PUT /v1/teams/{team}/reclaim/{product}; an
// absent number takes its default.
type ReclaimInput struct {
	InactiveDays *int     `json:"inactive_days"`
	NoticeDays   *int     `json:"notice_days"`
	ExcludeDays  *int     `json:"exclude_assigned_within_days"`
	Keep         []string `json:"keep"`
}

// policy checks in and fills the defaults.
func (in ReclaimInput) policy(team, product string) (store.Policy, error) {
	p := store.Policy{Team: team, Product: product, InactiveDays: DefaultInactiveDays, NoticeDays: DefaultNoticeDays, ExcludeDays: DefaultExcludeDays, Keep: []string{}}
	for _, f := range []struct {
		name string
		v    *int
		dst  *int
		min  int
	}{{"inactive_days", in.InactiveDays, &p.InactiveDays, 1}, {"notice_days", in.NoticeDays, &p.NoticeDays, 1}, {"exclude_assigned_within_days", in.ExcludeDays, &p.ExcludeDays, 0}} {
		if f.v == nil {
			continue
		}
		if *f.v < f.min || *f.v > maxPolicyDays {
			return p, fmt.Errorf("%s %d is not %d..%d: %w", f.name, *f.v, f.min, maxPolicyDays, ErrInvalid)
		}
		*f.dst = *f.v
	}
	seen := map[string]bool{}
	for _, e := range in.Keep {
		a, err := mail.ParseAddress(e)
		if err != nil || a.Name != "" {
			return p, fmt.Errorf("keep: %q is not an email: %w", e, ErrInvalid)
		}
		e = strings.ToLower(a.Address)
		if !seen[e] {
			seen[e] = true
			p.Keep = append(p.Keep, e)
		}
	}
	sort.Strings(p.Keep)
	return p, nil
}

// product is the catalog's name of a product of a path.
func (s *Service) product(name string) (string, error) {
	p, ok := s.cfg.Catalog.Lookup(name)
	if !ok {
		return "", fmt.Errorf("product %q is not in the catalog: %w", name, ErrInvalid)
	}
	return p.Name, nil
}

// SetReclaim turns on (or changes) team's reclaim policy for product
// (primary and secondary only); audited.
func (s *Service) SetReclaim(ctx context.Context, who store.Admin, team, product string, in ReclaimInput) (store.Policy, error) {
	if _, err := s.grant(who, team, needChange); err != nil {
		return store.Policy{}, err
	}
	product, err := s.product(product)
	if err != nil {
		return store.Policy{}, err
	}
	p, err := in.policy(team, product)
	if err != nil {
		return p, err
	}
	p.UpdatedBy = who.Email
	now := s.cfg.Now()
	if err := s.cfg.Store.SetPolicy(ctx, p, now); err != nil {
		return p, err
	}
	p.UpdatedAt = now.UTC().Format(time.RFC3339)
	s.cfg.Logger.Info("reclaim policy set", "team", team, "product", product, "by", who.Email)
	return p, nil
}

// DeleteReclaim turns team's policy for product off; its open notices are
// cancelled and no seat of them goes.
func (s *Service) DeleteReclaim(ctx context.Context, who store.Admin, team, product string) error {
	if _, err := s.grant(who, team, needChange); err != nil {
		return err
	}
	product, err := s.product(product)
	if err != nil {
		return err
	}
	return s.cfg.Store.DeletePolicy(ctx, team, product, who.Email, s.cfg.Now())
}

// Reclaims lists team's reclaim policies.
func (s *Service) Reclaims(ctx context.Context, who store.Admin, team string) ([]store.Policy, error) {
	if _, err := s.grant(who, team, needRead); err != nil {
		return nil, err
	}
	return s.cfg.Store.Policies(ctx, team)
}

// What a policy does with a seat (ReclaimCandidate.Action).
const (
	ReclaimNotify   = "notify"   // inactive: a notice is due
	ReclaimNoticed  = "noticed"  // told; the seat goes on notice_expires_on unless kept
	ReclaimDue      = "reclaim"  // the notice ended unanswered: the seat goes now
	ReclaimKeep     = "keep"     // on the keep list
	ReclaimExcluded = "excluded" // assigned too recently
	ReclaimKept     = "kept"     // the user said they still need it
	ReclaimUnknown  = "unknown"  // no usage data of any kind: never reclaimed
	ReclaimActive   = "active"   // used again since the notice
)

// ReclaimCandidate is one seat a policy looks at and what it does.
type ReclaimCandidate struct {
	Email           string  `json:"email"`
	Name            string  `json:"name"`
	Subscription    string  `json:"subscription"`
	AssignedOn      string  `json:"assigned_on"`
	LastUsed        *string `json:"last_used"` // of the product; null never
	Action          string  `json:"action"`
	Reason          string  `json:"reason"`
	NoticeID        string  `json:"-"`
	NoticeExpiresOn string  `json:"notice_expires_on,omitempty"`
}

// ReclaimPreview is GET /v1/teams/{team}/reclaim/{product}/preview: what
// the policy (on, or as the query proposes) does today.
type ReclaimPreview struct {
	Team       string             `json:"team"`
	Product    string             `json:"product"`
	AsOf       string             `json:"as_of"`
	Enabled    bool               `json:"enabled"`
	Policy     store.Policy       `json:"policy"`
	Candidates []ReclaimCandidate `json:"candidates"`
}

// PreviewReclaim is the dry run: the policy of team for product if on,
// else in (defaults for what it leaves out), applied to today. Nothing
// is sent or changed.
func (s *Service) PreviewReclaim(ctx context.Context, who store.Admin, team, product string, in *ReclaimInput) (*ReclaimPreview, error) {
	if _, err := s.grant(who, team, needRead); err != nil {
		return nil, err
	}
	product, err := s.product(product)
	if err != nil {
		return nil, err
	}
	out := &ReclaimPreview{Team: team, Product: product, AsOf: s.Today()}
	if in == nil {
		on, err := s.cfg.Store.Policies(ctx, team)
		if err != nil {
			return nil, err
		}
		for _, p := range on {
			if p.Product == product {
				out.Policy, out.Enabled = p, true
			}
		}
	}
	if !out.Enabled {
		if in == nil {
			in = &ReclaimInput{}
		}
		if out.Policy, err = in.policy(team, product); err != nil {
			return nil, err
		}
	}
	out.Candidates, err = s.ReclaimPlan(ctx, out.Policy, out.AsOf)
	return out, err
}

// ReclaimPlan applies policy p on day to every seat of the team's
// subscriptions of the product running that day, listing those it acts
// on or leaves out by a rule (users active in the window are not listed).
func (s *Service) ReclaimPlan(ctx context.Context, p store.Policy, day string) ([]ReclaimCandidate, error) {
	pic, err := s.cfg.Store.Picture(ctx)
	if err != nil {
		return nil, err
	}
	used, err := s.cfg.Store.UserProducts(ctx, "0001-01-01", day)
	if err != nil {
		return nil, err
	}
	notices, err := s.cfg.Store.Notices(ctx, p.Team, p.Product)
	if err != nil {
		return nil, err
	}
	d, _ := time.Parse(license.DateLayout, day)
	since := d.AddDate(0, 0, -p.InactiveDays+1).Format(license.DateLayout) // first day of the inactivity window
	recent := d.AddDate(0, 0, -p.ExcludeDays).Format(license.DateLayout)
	anyUse, last := map[string]bool{}, map[string]string{}
	for _, u := range used {
		anyUse[u.Email] = true
		if u.Product == p.Product {
			last[u.Email] = max(last[u.Email], u.LastUsed)
		}
	}
	names := map[string]string{}
	for _, u := range pic.Users {
		names[u.Email] = u.Name
	}
	keep := map[string]bool{}
	for _, e := range p.Keep {
		keep[e] = true
	}
	// A notice is of a user and the product: every seat of it they hold.
	open, kept := map[string]store.Notice{}, map[string]bool{}
	for _, n := range notices {
		k := n.Email
		switch {
		case n.State == store.NoticeOpen:
			open[k] = n
		case n.State == store.NoticeKept && n.ResolvedAt >= since:
			kept[k] = true
		}
	}
	subs := map[string]bool{}
	for _, x := range pic.Subscriptions {
		subs[x.Subscription] = x.Team == p.Team && x.Product == p.Product && x.ActiveOn(day)
	}
	out := []ReclaimCandidate{}
	for _, a := range pic.Assignments {
		if !subs[a.Subscription] || a.AssignedOn > day {
			continue
		}
		c := ReclaimCandidate{Email: a.Email, Name: names[a.Email], Subscription: a.Subscription, AssignedOn: a.AssignedOn}
		if l := last[a.Email]; l != "" {
			c.LastUsed = &l
		}
		n, noticed := open[a.Email]
		inactive := last[a.Email] < since
		switch {
		case !anyUse[a.Email]:
			c.Action, c.Reason = ReclaimUnknown, "no usage data of any kind: the agent never reported this user (not enrolled, or seat usage not shared)"
		case keep[a.Email]:
			c.Action, c.Reason = ReclaimKeep, "on the policy's keep list"
		case !inactive && noticed:
			c.Action, c.Reason = ReclaimActive, fmt.Sprintf("used %s on %s, after the notice of %s", p.Product, last[a.Email], n.NoticedOn)
		case !inactive:
			continue
		case a.AssignedOn > recent:
			c.Action, c.Reason = ReclaimExcluded, fmt.Sprintf("assigned on %s, within the last %d days", a.AssignedOn, p.ExcludeDays)
		case kept[a.Email]:
			c.Action, c.Reason = ReclaimKept, "answered a notice: still needs the seat"
		case noticed && n.ExpiresOn <= day:
			c.Action, c.Reason = ReclaimDue, fmt.Sprintf("notice of %s unanswered; %s", n.NoticedOn, idle(p, last[a.Email]))
		case noticed:
			c.Action, c.Reason = ReclaimNoticed, fmt.Sprintf("told on %s; the seat goes on %s unless kept", n.NoticedOn, n.ExpiresOn)
		default:
			c.Action, c.Reason = ReclaimNotify, idle(p, last[a.Email])
		}
		if noticed {
			c.NoticeID, c.NoticeExpiresOn = n.ID, n.ExpiresOn
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Email != out[j].Email {
			return out[i].Email < out[j].Email
		}
		return out[i].Subscription < out[j].Subscription
	})
	return out, nil
}

func idle(p store.Policy, last string) string {
	if last == "" {
		return fmt.Sprintf("has never used %s (other products reported)", p.Product)
	}
	return fmt.Sprintf("no use of %s since %s: inactive for over %d days", p.Product, last, p.InactiveDays)
}

// KeepSeat answers the link of a reclaim notice (no sign-in: the link's
// token is the proof): the seat stays.
func (s *Service) KeepSeat(ctx context.Context, token string) (store.Notice, error) {
	if token == "" {
		return store.Notice{}, store.ErrNoticeGone
	}
	n, err := s.cfg.Store.KeepSeat(ctx, store.HashToken(token), s.Today(), s.cfg.Now())
	if err == nil {
		s.cfg.Logger.Info("reclaim notice answered: seat kept", "team", n.Team, "subscription", n.Subscription, "user", n.Email)
	}
	return n, err
}

// Notice is the open notice of a link's token, read only (a mail scanner
// opening the link answers nothing).
func (s *Service) Notice(ctx context.Context, token string) (store.Notice, error) {
	if token == "" {
		return store.Notice{}, store.ErrNoticeGone
	}
	return s.cfg.Store.OpenNoticeByToken(ctx, store.HashToken(token), s.Today())
}

// RefreshTeam recomputes today's license findings of team after a change
// nobody asked for over the API (a reclaimed seat).
func (s *Service) RefreshTeam(ctx context.Context, team string) error { return s.recompute(ctx, team) }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Now() }
