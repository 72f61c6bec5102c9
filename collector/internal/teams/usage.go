package teams

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
)

// UsageRow is one team user and product of the usage details: assigned on
// one of the team's subscriptions, or used in the window.
type UsageRow = store.UsageRow

// Usage returns the usage details of team over the window ending on day
// (default today), by email then product.
func (s *Service) Usage(ctx context.Context, who store.Admin, team, day string) ([]UsageRow, string, error) {
	g, err := s.grant(who, team, needRead)
	if err != nil {
		return nil, "", err
	}
	if err := asOf(day); err != nil {
		return nil, "", err
	}
	if day == "" {
		day = s.Today()
	}
	from, _ := insights.WindowStart(day)
	pic, err := s.cfg.Store.Picture(ctx)
	if err != nil {
		return nil, "", err
	}
	used, err := s.cfg.Store.UserProducts(ctx, from, day)
	if err != nil {
		return nil, "", err
	}
	versions, err := s.cfg.Store.UserProductVersions(ctx, from, day)
	if err != nil {
		return nil, "", err
	}
	devices, err := s.cfg.Store.DevicesByLogin(ctx, from, day)
	if err != nil {
		return nil, "", err
	}
	hidden, err := s.hidden(ctx, g, team)
	if err != nil {
		return nil, "", err
	}
	rows := usageRows(pic, team, day, used, g.CanPurchase, hidden)
	for i := range rows {
		rows[i].Versions = versions[[2]string{rows[i].Email, rows[i].Product}]
		rows[i].Devices = devices[rows[i].Email]
	}
	return rows, day, nil
}

// usageRows joins the picture and usage of team; seats of an
// over-assigned subscription (on day, or hidden today) are left out unless
// the admin may purchase.
func usageRows(pic *store.Picture, team, day string, used []store.UserProduct, canPurchase bool, hidden map[string]bool) []UsageRow {
	type key struct{ email, product string }
	subs := map[string]license.Subscription{}
	held := map[string]int{}
	for _, a := range pic.Assignments {
		if a.AssignedOn <= day {
			held[a.Subscription]++
		}
	}
	for _, x := range pic.Subscriptions {
		if x.Team == team && (canPurchase || !(hidden[x.Subscription] || overAssigned(x, held[x.Subscription], day))) {
			subs[x.Subscription] = x
		}
	}
	byKey := map[key]*UsageRow{}
	members := map[string]bool{}
	for _, a := range pic.Assignments {
		x, ok := subs[a.Subscription]
		if !ok || a.AssignedOn > day {
			continue
		}
		members[a.Email] = true
		k := key{a.Email, x.Product}
		r := byKey[k]
		if r == nil {
			r = &UsageRow{Email: a.Email, Product: x.Product, AssignedOn: a.AssignedOn}
			byKey[k] = r
		}
		r.AssignedOn = min(r.AssignedOn, a.AssignedOn)
		r.Subscriptions = append(r.Subscriptions, a.Subscription)
	}
	for _, u := range used {
		if !members[u.Email] {
			continue
		}
		k := key{u.Email, u.Product}
		if byKey[k] == nil {
			byKey[k] = &UsageRow{Email: u.Email, Product: u.Product}
		}
		byKey[k].DaysUsed, byKey[k].LastUsed = u.Days, u.LastUsed
	}
	people := map[string]license.User{}
	for _, u := range pic.Users {
		people[u.Email] = u
	}
	out := make([]UsageRow, 0, len(byKey))
	for _, r := range byKey {
		r.Login, r.Name, r.Department = people[r.Email].Login, people[r.Email].Name, people[r.Email].Department
		sort.Strings(r.Subscriptions)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Email != out[j].Email {
			return out[i].Email < out[j].Email
		}
		return out[i].Product < out[j].Product
	})
	return out
}

// UsageCSVHeader is the header of usage.csv.
func UsageCSVHeader() []string {
	return []string{"email", "login", "product", "days_used", "last_used", "versions", "assigned_on", "subscriptions", "devices"}
}

// UsageCSV returns rows under UsageCSVHeader, unescaped.
func UsageCSV(rows []UsageRow) [][]string {
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, []string{r.Email, r.Login, r.Product, strconv.FormatInt(r.DaysUsed, 10), r.LastUsed,
			strings.Join(r.Versions, ";"), r.AssignedOn, strings.Join(r.Subscriptions, ";"), deviceList(r.Devices)})
	}
	return out
}

// deviceList formats the devices of a usage row as "hostname (device id)"
// separated by ";": the id is what `collector revoke --device` takes.
func deviceList(devices []store.UserDevice) string {
	parts := make([]string, 0, len(devices))
	for _, d := range devices {
		parts = append(parts, d.Hostname+" ("+d.DeviceID+")")
	}
	return strings.Join(parts, ";")
}
