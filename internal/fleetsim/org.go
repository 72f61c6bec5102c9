// Package fleetsim simulates a whole organization for demos, load tests and
// benchmarks: teams, subscriptions and users as license CSV files, and 120
// days of those users' varied work as the day records their workstations'
// agents upload. The same seed gives the same organization and days.
package fleetsim

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options shape a simulation; zero values take the defaults.
type Options struct {
	Users   int       // default 300
	Devices int       // workstations the users share; default Users/3, at least 1
	Days    int       // days of history ending the day before End; default 120
	End     time.Time // default today
	Seed    uint64
}

func (o *Options) defaults() {
	if o.Users <= 0 {
		o.Users = 300
	}
	if o.Devices <= 0 {
		o.Devices = max(1, o.Users/3)
	}
	if o.Days <= 0 {
		o.Days = 120
	}
	if o.End.IsZero() {
		o.End = time.Now()
	}
	o.End = time.Date(o.End.Year(), o.End.Month(), o.End.Day(), 0, 0, 0, 0, time.UTC)
}

// Team is a team of the license picture with the share of users it gets and
// the command mix its work has.
type Team struct {
	ID, Name, Plan, UserManagement string
	share                          float64
	mix                            map[string]float64 // category -> weight
	revit                          float64            // share of members who also use Revit
}

// Subscription is a row of subscriptions.csv.
type Subscription struct {
	ID, Team, Product, Type, Channel string
	Seats                            int
	Start, End                       string
}

// User is a directory user and how they work.
type User struct {
	Email, Login, Name string
	Team               *Team
	Device             int    // index of their workstation
	Upload             string // the OS login their agent reports: Login, sometimes with a domain
	Consent            bool   // opted in to analytics
	profile
}

// Assignment is a row of assignments.csv.
type Assignment struct {
	Subscription, Email, AssignedOn string
}

// Org is a simulated organization.
type Org struct {
	Opt           Options
	Teams         []*Team
	Subscriptions []Subscription
	Users         []*User
	Assignments   []Assignment
}

// teams is the organization every simulation has, whatever its size: the
// cases each insight and each unavailable reason needs.
func teams() []*Team {
	draft := map[string]float64{"Draw": 30, "Modify": 28, "Annotate": 12, "Layers": 6, "Blocks": 5, "View": 14, "Files": 5}
	annotate := map[string]float64{"Draw": 14, "Modify": 18, "Annotate": 35, "Layers": 8, "Blocks": 10, "View": 10, "Files": 5}
	design := map[string]float64{"Draw": 22, "Modify": 22, "Annotate": 8, "Layers": 10, "Blocks": 18, "View": 15, "Files": 5}
	return []*Team{
		{ID: "acme", Name: "Acme Architects", Plan: "premium", UserManagement: "named", share: 0.30, mix: draft, revit: 0.45},
		{ID: "brick", Name: "Brick and Beam Engineering", Plan: "premium", UserManagement: "named", share: 0.20, mix: annotate, revit: 0.1},
		{ID: "civic", Name: "Civic Works", Plan: "standard", UserManagement: "named", share: 0.20, mix: design, revit: 0.3},
		{ID: "delta", Name: "Delta Drafting", Plan: "standard", UserManagement: "named", share: 0.12, mix: draft},
		{ID: "heritage", Name: "Heritage Surveys", Plan: "premium", UserManagement: "classic", share: 0.10, mix: annotate},
		{ID: "forge", Name: "Forge Fabrication", Plan: "premium", UserManagement: "named", share: 0.08, mix: design},
	}
}

var (
	firstNames = []string{"alice", "bruno", "chen", "dana", "emil", "farah", "gita", "hugo", "ines", "jonas", "kemal", "lena",
		"marco", "nadia", "oscar", "priya", "quinn", "rosa", "sven", "tara", "umar", "vera", "wei", "xena", "yusuf", "zoe"}
	lastNames = []string{"archer", "baker", "costa", "dubois", "evans", "fischer", "garcia", "haddad", "ivanova", "jensen",
		"kowalski", "larsen", "moreau", "novak", "okafor", "petrov", "quist", "rossi", "silva", "tanaka", "ueda", "varga"}
)

// New builds the organization of o: teams, subscriptions, users (with their
// way of working) and assignments.
func New(o Options) *Org {
	o.defaults()
	org := &Org{Opt: o, Teams: teams()}
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	day := func(offset int) string { return o.End.AddDate(0, 0, offset).Format("2006-01-02") }
	members := map[*Team][]*User{}
	start := 0
	for ti, t := range org.Teams {
		n := int(float64(o.Users)*t.share + 0.5)
		if ti == len(org.Teams)-1 {
			n = o.Users - start
		}
		for i := start; i < start+n; i++ {
			u := &User{Team: t, Device: rng.IntN(o.Devices), Consent: rng.Float64() < 0.75}
			first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
			u.Login = fmt.Sprintf("%c%s%d", first[0], last, i)
			u.Name = fmt.Sprintf("%c%s %c%s", first[0]-32, first[1:], last[0]-32, last[1:])
			u.Email = u.Login + "@" + t.ID + ".example"
			u.Upload = u.Login
			if rng.IntN(4) == 0 {
				u.Upload = `CORP\` + u.Login // a domain login matches the directory login without it
			}
			u.profile = newProfile(rng, t, o.Days)
			org.Users = append(org.Users, u)
			members[t] = append(members[t], u)
		}
		start += n
	}
	for _, t := range org.Teams {
		org.subscribe(t, members[t], rng, day)
	}
	return org
}

// subscribe gives a team its subscriptions and assigns its members.
func (org *Org) subscribe(t *Team, members []*User, rng *rand.Rand, day func(int) string) {
	add := func(id, product, typ, channel string, seats, start, end int) string {
		org.Subscriptions = append(org.Subscriptions, Subscription{ID: id, Team: t.ID, Product: product, Type: typ,
			Channel: channel, Seats: seats, Start: day(start), End: day(end)})
		return id
	}
	assign := func(sub string, u *User) {
		on := -(100 + rng.IntN(300)) // most were assigned before the window
		if rng.IntN(12) == 0 {
			on = -(5 + rng.IntN(60)) // a few joined recently
		}
		org.Assignments = append(org.Assignments, Assignment{Subscription: sub, Email: u.Email, AssignedOn: day(on)})
	}
	var revit []*User
	for _, u := range members {
		if u.usesRevit {
			revit = append(revit, u)
		}
	}
	upper := strings.ToUpper(t.ID) + "-"
	switch t.ID {
	case "brick":
		// A reseller multi-user pool for the plotters' room beside named seats.
		half := len(members) / 2
		acad := add(upper+"ACAD", "AutoCAD", "single-user", "reseller", half+3, -400, 330)
		pool := add(upper+"ACAD-POOL", "AutoCAD", "multi-user", "reseller", 10, -400, 330)
		for i, u := range members {
			if i < half {
				assign(acad, u)
			} else {
				assign(pool, u)
			}
		}
	case "forge":
		// Only multi-user seats: no insights, and the team is told why.
		pool := add(upper+"ACAD-POOL", "AutoCAD", "multi-user", "online", len(members), -300, 65)
		for _, u := range members {
			assign(pool, u)
		}
	default:
		typ := "single-user"
		if t.ID == "delta" {
			typ = "flex"
		}
		// Seats bought for growth: some stay unassigned.
		acad := add(upper+"ACAD", "AutoCAD", typ, "online", len(members)+max(2, len(members)/10), -300, 65)
		for _, u := range members {
			assign(acad, u)
		}
		if len(revit) > 0 {
			rvt := add(upper+"RVT", "Revit", "single-user", "reseller", len(revit), -200, 165)
			for _, u := range revit {
				assign(rvt, u)
			}
		}
	}
	if t.ID == "acme" {
		// Last year's online subscription ended a month ago and nobody moved
		// its users off it.
		old := add(upper+"ACAD-2025", "AutoCAD", "single-user", "online", 6, -395, -30)
		for _, u := range members[:min(4, len(members))] {
			assign(old, u)
		}
	}
}

// departments are the users' departments in turn; "" is none.
var departments = []string{"Design", "Engineering", "Drafting", "BIM", "Design", "Engineering", ""}

// prices are list-like prices of one seat: price, currency, term. A
// multi-user subscription has none, to show an unpriced one.
var prices = map[string][3]string{
	"AutoCAD single-user": {"2030", "EUR", "annual"},
	"AutoCAD flex":        {"4800", "EUR", "3-year"},
	"Revit single-user":   {"330", "EUR", "monthly"},
	"Revit flex":          {"9000", "EUR", "3-year"},
}

// WriteCSV writes teams.csv, users.csv, subscriptions.csv and
// assignments.csv (the collector's import format) into dir and returns
// their paths by kind, in the order they must be imported.
func (org *Org) WriteCSV(dir string) ([][2]string, error) {
	tables := []struct {
		kind string
		rows [][]string
	}{
		{"teams", [][]string{{"team", "name", "plan", "user_management"}}},
		{"users", [][]string{{"email", "login", "name", "department"}}},
		{"subscriptions", [][]string{{"subscription", "team", "product", "type", "seats", "channel", "start", "end", "price", "currency", "term"}}},
		{"assignments", [][]string{{"subscription", "email", "assigned_on"}}},
	}
	for _, t := range org.Teams {
		tables[0].rows = append(tables[0].rows, []string{t.ID, t.Name, t.Plan, t.UserManagement})
	}
	for i, u := range org.Users {
		tables[1].rows = append(tables[1].rows, []string{u.Email, u.Login, u.Name, departments[i%len(departments)]})
	}
	for _, s := range org.Subscriptions {
		p := prices[s.Product+" "+s.Type]
		tables[2].rows = append(tables[2].rows, []string{s.ID, s.Team, s.Product, s.Type, fmt.Sprint(s.Seats), s.Channel, s.Start, s.End, p[0], p[1], p[2]})
	}
	for _, a := range org.Assignments {
		tables[3].rows = append(tables[3].rows, []string{a.Subscription, a.Email, a.AssignedOn})
	}
	var files [][2]string
	for _, t := range tables {
		path := filepath.Join(dir, t.kind+".csv")
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		w := csv.NewWriter(f)
		w.WriteAll(t.rows)
		if err := w.Error(); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		files = append(files, [2]string{t.kind, path})
	}
	return files, nil
}
