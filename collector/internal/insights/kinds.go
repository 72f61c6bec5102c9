package insights

// The rule of each insight kind, as docs/insights.md says it, over one
// team's subscriptions and members.

import (
	"fmt"
	"math"
	"sort"

	"teamlens/collector/internal/license"
	"teamlens/shared/wire"
)

func (c *computation) underAssignment(subs []license.Subscription) []UnderAssignment {
	var out []UnderAssignment
	for _, s := range subs {
		if !s.ActiveOn(c.in.AsOf) {
			continue
		}
		n := int64(len(c.assignsBySub[s.Subscription]))
		if n < s.Seats {
			out = append(out, UnderAssignment{Kind: wire.KindUnderAssignment, Subscription: s.Subscription, Product: s.Product,
				Seats: s.Seats, Assigned: n, Available: s.Seats - n, Money: seatsMoney(s, s.Seats-n)})
		}
	}
	return out
}

func (c *computation) overAssignment(subs []license.Subscription) []OverAssignment {
	var out []OverAssignment
	for _, s := range subs {
		as := c.assignsBySub[s.Subscription]
		if s.Channel != "online" || s.End >= c.in.AsOf || len(as) == 0 {
			continue
		}
		users := make([]string, 0, len(as))
		for _, a := range as {
			users = append(users, a.Email)
		}
		sort.Strings(users)
		o := OverAssignment{Kind: wire.KindOverAssignment, Subscription: s.Subscription, Product: s.Product, EndedOn: s.End, Users: users}
		if m := seatsMoney(s, int64(len(users))); m.Currency != "" {
			o.Currency, o.MonthlyCost, o.YearlyCost = m.Currency, m.MonthlyCost, m.YearlySaving
		}
		out = append(out, o)
	}
	return out
}

func (c *computation) inactiveUsers(subs []license.Subscription) []InactiveUser {
	type key struct{ product, email string }
	found := map[key]*string{}
	seat := map[key]license.Subscription{} // the seat reclaiming would free: the first priced one
	for _, s := range subs {
		if !s.ActiveOn(c.in.AsOf) {
			continue
		}
		for _, a := range c.assignsBySub[s.Subscription] {
			if a.AssignedOn >= c.windowStart {
				continue // assigned inside the window: too new to call inactive
			}
			var last *string
			if up := c.byUser[a.Email][s.Product]; up != nil {
				if up.Days > 0 {
					continue
				}
				l := up.LastUsed
				last = &l
			}
			k := key{s.Product, a.Email}
			found[k] = last
			if old, ok := seat[k]; !ok || (!old.Priced() && s.Priced()) {
				seat[k] = s
			}
		}
	}
	keys := make([]key, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].product != keys[j].product {
			return keys[i].product < keys[j].product
		}
		return keys[i].email < keys[j].email
	})
	out := make([]InactiveUser, 0, len(keys))
	for _, k := range keys {
		out = append(out, InactiveUser{Kind: wire.KindInactiveUser, Product: k.product, User: k.email, LastUsed: found[k], Money: seatsMoney(seat[k], 1)})
	}
	return out
}

func (c *computation) productVersions(members map[string]bool) []ProductVersion {
	var out []ProductVersion
	for _, product := range sortedKeys(c.versions) {
		type agg struct {
			days  int64
			users []string
		}
		byVersion := map[string]*agg{}
		for email := range members {
			for _, v := range c.versions[product][email] {
				if v.Days == 0 {
					continue
				}
				a := byVersion[v.Version]
				if a == nil {
					a = &agg{}
					byVersion[v.Version] = a
				}
				a.days += v.Days
				a.users = append(a.users, v.Email)
			}
		}
		// The denominator counts a user-day once however many versions it
		// saw.
		var total int64
		for email := range members {
			if up := c.byUser[email][product]; up != nil {
				total += up.Days
			}
		}
		if total == 0 {
			continue
		}
		for _, version := range sortedKeys(byVersion) {
			a := byVersion[version]
			share := float64(a.days) / float64(total)
			if share >= 0.01 {
				continue
			}
			sort.Strings(a.users)
			out = append(out, ProductVersion{Kind: wire.KindProductVersion, Product: product, Version: version, DaysUsed: a.days, Share: share, Users: a.users})
		}
	}
	return out
}

func (c *computation) performance(subs []license.Subscription, members, settled map[string]bool) ([]ProductPerformance, []Unavailable) {
	// The products a team cares about: those it subscribes to and those its
	// users ran.
	products := map[string]bool{}
	for _, s := range subs {
		products[s.Product] = true
	}
	for email := range members {
		for p := range c.byUser[email] {
			products[p] = true
		}
	}
	// Means summed in one order, so every computation of the same data
	// gives the same team mean to the last bit.
	emails := sortedKeys(settled)
	var out []ProductPerformance
	var missing []Unavailable
	for _, product := range sortedKeys(products) {
		for _, m := range metrics {
			d := c.perf[perfKey{product, m.name}]
			n := 0
			if d != nil {
				n = len(d.means)
			}
			if n < MinUsers {
				missing = append(missing, Unavailable{Kind: wire.KindProductPerformance, Product: product, Metric: m.name,
					Reason: fmt.Sprintf("%d of the %d users needed have %s %s data", n, MinUsers, product, m.name)})
				continue
			}
			p := ProductPerformance{Kind: wire.KindProductPerformance, Product: product, Metric: m.name, P25: d.p25, P50: d.p50, P75: d.p75}
			var sum float64
			var count int
			for _, email := range emails {
				v, ok := d.means[email]
				if !ok {
					continue
				}
				switch {
				case v <= d.p25:
					p.UsersByQuartile[0]++
				case v <= d.p50:
					p.UsersByQuartile[1]++
				case v <= d.p75:
					p.UsersByQuartile[2]++
				default:
					p.UsersByQuartile[3]++
				}
				sum += v
				count++
			}
			if count < MinTeamUsers {
				missing = append(missing, Unavailable{Kind: wire.KindProductPerformance, Product: product, Metric: m.name,
					Reason: teamReason(count, product, m.name)})
				continue
			}
			mean := roundTo(sum/float64(count), MeanStepMS)
			p.TeamMeanMS = &mean
			out = append(out, p)
		}
	}
	return out, missing
}

// teamReason says why a team figure is withheld.
func teamReason(n int, product, what string) string {
	return fmt.Sprintf("%d of the %d team users needed (assigned for the whole window) have %s %s data", n, MinTeamUsers, product, what)
}

func (c *computation) commandUsage(members, settled map[string]bool) ([]CommandUsage, []Unavailable) {
	var out []CommandUsage
	var missing []Unavailable
	for _, product := range sortedKeys(c.commands) {
		// Peers are everyone else: everyone's counts less all the team's
		// users'. The team's own figures are its settled users'.
		var memberTotal int64
		memberCats := map[string]int64{}
		for email := range members {
			for _, x := range c.commands[product][email] {
				memberCats[x.category] += x.n
				memberTotal += x.n
			}
		}
		team := map[string]int64{}
		var teamTotal int64
		users := 0
		for email := range settled {
			if len(c.commands[product][email]) > 0 {
				users++
			}
			for _, x := range c.commands[product][email] {
				team[x.category] += x.n
				teamTotal += x.n
			}
		}
		if memberTotal == 0 {
			continue
		}
		if users < MinTeamUsers {
			missing = append(missing, Unavailable{Kind: wire.KindCommandUsage, Product: product, Reason: teamReason(users, product, "command")})
			continue
		}
		var allTotal int64
		for _, n := range c.allCommands[product] {
			allTotal += n
		}
		peerTotal := allTotal - memberTotal
		cats := make([]CategoryShare, 0, len(team))
		for cat, n := range team {
			cs := CategoryShare{Category: cat, Count: int64(roundTo(float64(n), CountStep)), Share: roundTo(float64(n)/float64(teamTotal), ShareStep)}
			if peerTotal > 0 {
				cs.PeerShare = roundTo(float64(c.allCommands[product][cat]-memberCats[cat])/float64(peerTotal), ShareStep)
			}
			cats = append(cats, cs)
		}
		sort.Slice(cats, func(i, j int) bool {
			if cats[i].Count != cats[j].Count {
				return cats[i].Count > cats[j].Count
			}
			return cats[i].Category < cats[j].Category
		})
		out = append(out, CommandUsage{Kind: wire.KindCommandUsage, Product: product, Categories: cats})
	}
	return out, missing
}

// seatsMoney is what n seats of s cost a month and a year; zero when s is
// unpriced.
func seatsMoney(s license.Subscription, n int64) Money {
	if !s.Priced() {
		return Money{}
	}
	yearly := Amount(s.SeatYearlyMilli() * float64(n))
	monthly := Amount(s.SeatYearlyMilli() * float64(n) / 12)
	return Money{Currency: s.Currency, MonthlyCost: &monthly, YearlySaving: &yearly}
}

// Amount turns thousandths into a decimal amount rounded to the cent.
func Amount(milli float64) float64 { return math.Round(milli/10) / 100 }

// roundTo rounds v to the nearest multiple of step. A fraction step
// divides by its inverse, so 0.596 comes out as 0.596, not 0.5960000000000001.
func roundTo(v, step float64) float64 {
	if step < 1 {
		inv := math.Round(1 / step)
		return math.Round(v*inv) / inv
	}
	return math.Round(v/step) * step
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
