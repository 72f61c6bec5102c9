package teams

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
)

// Forecast defaults: the renewal horizon, the buffer over the peak, and
// what makes a user occasional.
const (
	ForecastHorizonDays   = 120
	DefaultBufferPercent  = 10
	DefaultOccasionalDays = 3 // active days a month
)

// Renewal is the forecast of one subscription ending within the horizon.
type Renewal struct {
	Subscription string `json:"subscription"`
	Product      string `json:"product"`
	Type         string `json:"type"`
	EndsOn       string `json:"ends_on"`
	DaysLeft     int    `json:"days_left"`
	Seats        int64  `json:"seats"`
	Assigned     int64  `json:"assigned"`
	// PeakActive is the most seats in use on one day of the last 90 days.
	PeakActive int64 `json:"peak_active"`
	// Trend compares the mean active seats of the last 30 days with the
	// 30 before: "up", "down" or "flat" (within 5%).
	Trend       string `json:"trend"`
	Recommended int64  `json:"recommended"`
	Change      int64  `json:"change"` // recommended - seats
	// YearlyCostChange is what the change costs (negative: saves) a year,
	// when the subscription has a price.
	Currency         string   `json:"currency,omitempty"`
	YearlyCostChange *float64 `json:"yearly_cost_change,omitempty"`
	// Occasional users hold a seat and used the product on fewer than
	// OccasionalDays days a month: candidates for Flex.
	Occasional []string `json:"occasional"`
	// When the team has a priced Flex subscription of the product in the
	// same currency: what the occasional users' seats cost a year here,
	// and on that Flex subscription's seats.
	Flex                 string   `json:"flex_subscription,omitempty"`
	OccasionalYearlyCost *float64 `json:"occasional_yearly_cost,omitempty"`
	FlexYearlyCost       *float64 `json:"flex_yearly_cost,omitempty"`
}

// RenewalForecast is GET /v1/teams/{team}/forecast.
type RenewalForecast struct {
	Team           string    `json:"team"`
	AsOf           string    `json:"as_of"`
	BufferPercent  int       `json:"buffer_percent"`
	OccasionalDays int       `json:"occasional_days"`
	Renewals       []Renewal `json:"renewals"`
}

// Forecast returns, for each of team's subscriptions ending within
// ForecastHorizonDays of today, the seats it needs at renewal: the peak of
// active seats over the last 90 days (from the seat history) plus
// bufferPercent, and its occasional users. bufferPercent or occasionalDays
// below 0 take the defaults.
func (s *Service) Forecast(ctx context.Context, who store.Admin, team string, bufferPercent, occasionalDays int) (*RenewalForecast, error) {
	g, err := s.grant(who, team, needRead)
	if err != nil {
		return nil, err
	}
	if bufferPercent < 0 {
		bufferPercent = DefaultBufferPercent
	}
	if occasionalDays < 0 {
		occasionalDays = DefaultOccasionalDays
	}
	today := s.Today()
	t, _ := time.Parse(license.DateLayout, today)
	horizon := t.AddDate(0, 0, ForecastHorizonDays).Format(license.DateLayout)
	from, _ := insights.WindowStart(today)
	pic, err := s.cfg.Store.Picture(ctx)
	if err != nil {
		return nil, err
	}
	hidden, err := s.hidden(ctx, g, team)
	if err != nil {
		return nil, err
	}
	hist, err := s.cfg.Store.SeatHistory(ctx, team, from, today)
	if err != nil {
		return nil, err
	}
	used, err := s.cfg.Store.UserProducts(ctx, from, today)
	if err != nil {
		return nil, err
	}
	days := map[[2]string]int64{}
	for _, u := range used {
		days[[2]string{u.Email, u.Product}] = u.Days
	}
	out := &RenewalForecast{Team: team, AsOf: today, BufferPercent: bufferPercent, OccasionalDays: occasionalDays, Renewals: []Renewal{}}
	// Fewer than occasionalDays a month over the 90-day window's three.
	occasionalBelow := int64(occasionalDays * insights.WindowDays / 30)
	for _, x := range pic.Subscriptions {
		if x.Team != team || hidden[x.Subscription] || x.End < today || x.End > horizon {
			continue
		}
		end, _ := time.Parse(license.DateLayout, x.End)
		r := Renewal{Subscription: x.Subscription, Product: x.Product, Type: x.Type, EndsOn: x.End,
			DaysLeft: int(end.Sub(t).Hours() / 24), Seats: x.Seats, Occasional: []string{}}
		var recent, before []int64
		cut := t.AddDate(0, 0, -30).Format(license.DateLayout)
		cut2 := t.AddDate(0, 0, -60).Format(license.DateLayout)
		for _, h := range hist {
			if h.Subscription != x.Subscription {
				continue
			}
			r.PeakActive = max(r.PeakActive, h.Active)
			switch {
			case h.Date > cut:
				recent = append(recent, h.Active)
			case h.Date > cut2:
				before = append(before, h.Active)
			}
		}
		r.Trend = trend(mean(recent), mean(before))
		r.Recommended = int64(math.Ceil(float64(r.PeakActive) * (100 + float64(bufferPercent)) / 100))
		r.Change = r.Recommended - r.Seats
		if x.Priced() {
			v := insights.Amount(x.SeatYearlyMilli() * float64(r.Change))
			r.Currency, r.YearlyCostChange = x.Currency, &v
		}
		for _, a := range pic.Assignments {
			if a.Subscription != x.Subscription || a.AssignedOn > today {
				continue
			}
			r.Assigned++
			if n := days[[2]string{a.Email, x.Product}]; n > 0 && n < occasionalBelow {
				r.Occasional = append(r.Occasional, a.Email)
			}
		}
		sort.Strings(r.Occasional)
		if f, ok := flexOf(pic.Subscriptions, x); ok && len(r.Occasional) > 0 {
			n := float64(len(r.Occasional))
			here, there := insights.Amount(x.SeatYearlyMilli()*n), insights.Amount(f.SeatYearlyMilli()*n)
			r.Flex, r.OccasionalYearlyCost, r.FlexYearlyCost = f.Subscription, &here, &there
		}
		out.Renewals = append(out.Renewals, r)
	}
	sort.Slice(out.Renewals, func(i, j int) bool {
		if out.Renewals[i].EndsOn != out.Renewals[j].EndsOn {
			return out.Renewals[i].EndsOn < out.Renewals[j].EndsOn
		}
		return out.Renewals[i].Subscription < out.Renewals[j].Subscription
	})
	return out, nil
}

// flexOf finds the team's priced Flex subscription of x's product, in x's
// currency, the cheapest a seat; x itself must be priced and not Flex.
func flexOf(subs []license.Subscription, x license.Subscription) (license.Subscription, bool) {
	var best license.Subscription
	found := false
	for _, f := range subs {
		if f.Team != x.Team || f.Product != x.Product || f.Type != "flex" || x.Type == "flex" || !f.Priced() || !x.Priced() || f.Currency != x.Currency {
			continue
		}
		if !found || f.SeatYearlyMilli() < best.SeatYearlyMilli() {
			best, found = f, true
		}
	}
	return best, found
}

// ForecastParam reads a whole-number query value; "" is the default (-1).
func ForecastParam(name, v string) (int, error) {
	if v == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1000 {
		return 0, fmt.Errorf("%s %q is not a whole number from 0 to 1000: %w", name, v, ErrInvalid)
	}
	return n, nil
}

func mean(v []int64) float64 {
	if len(v) == 0 {
		return 0
	}
	var sum int64
	for _, x := range v {
		sum += x
	}
	return float64(sum) / float64(len(v))
}

func trend(recent, before float64) string {
	switch {
	case recent > before*1.05 && recent-before >= 0.5:
		return "up"
	case recent < before*0.95 && before-recent >= 0.5:
		return "down"
	}
	return "flat"
}
