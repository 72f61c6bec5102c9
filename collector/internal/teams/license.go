package teams

import (
	"context"
	"fmt"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
)

// Seat is one assignment of a subscription.
type Seat struct {
	Email      string `json:"email"`
	AssignedOn string `json:"assigned_on"`
}

// Subscription is a subscription of a team with its seats on as_of.
type Subscription struct {
	Subscription string `json:"subscription"`
	Product      string `json:"product"`
	Type         string `json:"type"`
	Seats        int64  `json:"seats"`
	Channel      string `json:"channel"`
	Start        string `json:"start"`
	End          string `json:"end"`
	Active       bool   `json:"active"`
	Assigned     int    `json:"assigned"`
	Assignments  []Seat `json:"assignments"`
	// The price of one seat for one term, when the subscription has one.
	Price    *float64 `json:"price,omitempty"`
	Currency string   `json:"currency,omitempty"`
	Term     string   `json:"term,omitempty"`
}

// License is a team's license picture on as_of (GET /v1/teams/{team}).
type License struct {
	Team           string         `json:"team"`
	Name           string         `json:"name"`
	Plan           string         `json:"plan"`
	UserManagement string         `json:"user_management"`
	AsOf           string         `json:"as_of"`
	Subscriptions  []Subscription `json:"subscriptions"`
}

// License returns team's subscriptions with the seats assigned on day
// (default today). An online subscription that ended and still has seats
// assigned is an over-assignment: only admins who may purchase see it, on
// any day they ask about.
func (s *Service) License(ctx context.Context, who store.Admin, team, day string) (*License, error) {
	rd, err := s.readPicture(ctx, who, team, day)
	if err != nil {
		return nil, err
	}
	g, day, pic, hidden := rd.grant, rd.day, rd.pic, rd.hidden
	out := &License{Team: team, AsOf: day, Subscriptions: []Subscription{}}
	for _, t := range pic.Teams {
		if t.Team == team {
			out.Name, out.Plan, out.UserManagement = t.Name, t.Plan, t.UserManagement
		}
	}
	for _, x := range pic.Subscriptions {
		if x.Team != team {
			continue
		}
		sub := Subscription{Subscription: x.Subscription, Product: x.Product, Type: x.Type, Seats: x.Seats, Channel: x.Channel,
			Start: x.Start, End: x.End, Active: x.ActiveOn(day), Assignments: []Seat{}}
		if x.Priced() {
			p := float64(x.PriceMilli) / 1000
			sub.Price, sub.Currency, sub.Term = &p, x.Currency, x.Term
		}
		for _, a := range pic.Assignments {
			if a.Subscription == x.Subscription && a.AssignedOn <= day {
				sub.Assignments = append(sub.Assignments, Seat{a.Email, a.AssignedOn})
			}
		}
		sub.Assigned = len(sub.Assignments)
		if !g.CanPurchase && (hidden[x.Subscription] || overAssigned(x, sub.Assigned, day)) {
			continue
		}
		out.Subscriptions = append(out.Subscriptions, sub)
	}
	return out, nil
}

// overAssigned is the rule of over_assignment for one subscription.
func overAssigned(x license.Subscription, assigned int, day string) bool {
	return x.Channel == "online" && x.End < day && assigned > 0
}

// reading is what a read of a team's license picture on a day starts
// with: the reader's grant, the day (default today), the picture and the
// subscriptions hidden from the reader.
type reading struct {
	grant  store.Grant
	day    string
	pic    *store.Picture
	hidden map[string]bool
}

func (s *Service) readPicture(ctx context.Context, who store.Admin, team, day string) (reading, error) {
	g, day, err := s.readDay(who, team, day)
	if err != nil {
		return reading{}, err
	}
	pic, err := s.cfg.Store.Picture(ctx)
	if err != nil {
		return reading{}, err
	}
	hidden, err := s.hidden(ctx, g, team)
	if err != nil {
		return reading{}, err
	}
	return reading{g, day, pic, hidden}, nil
}

// hidden is the subscriptions of team that who may not see on any day:
// those over-assigned today, unless who may purchase.
func (s *Service) hidden(ctx context.Context, g store.Grant, team string) (map[string]bool, error) {
	if g.CanPurchase {
		return map[string]bool{}, nil
	}
	return s.cfg.Store.OverAssigned(ctx, team, s.Today())
}

// Candidates lists the people of team's directory who hold no seat of
// subscription, for an admin who may assign it: the people who hold a seat
// of the team's subscriptions and those who hold none anywhere (as
// store.Assign takes them).
func (s *Service) Candidates(ctx context.Context, who store.Admin, team, subscription string) ([]license.User, error) {
	g, err := s.grant(who, team, needChange)
	if err != nil {
		return nil, err
	}
	pic, err := s.cfg.Store.Picture(ctx)
	if err != nil {
		return nil, err
	}
	hidden, err := s.hidden(ctx, g, team)
	if err != nil {
		return nil, err
	}
	ours := map[string]bool{}
	for _, x := range pic.Subscriptions {
		ours[x.Subscription] = x.Team == team
	}
	if !ours[subscription] || hidden[subscription] {
		return nil, fmt.Errorf("subscription %q is not of team %s: %w", subscription, team, store.ErrNotFound)
	}
	held, seated, inTeam := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, a := range pic.Assignments {
		held[a.Email] = held[a.Email] || a.Subscription == subscription
		seated[a.Email] = true
		inTeam[a.Email] = inTeam[a.Email] || ours[a.Subscription]
	}
	out := []license.User{}
	for _, u := range pic.Users {
		if !held[u.Email] && (inTeam[u.Email] || !seated[u.Email]) {
			out = append(out, u)
		}
	}
	return out, nil
}
