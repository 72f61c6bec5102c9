package fleetsim

import (
	"math"
	"math/rand/v2"
	"sort"

	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

// profile is how one user works: the habits that make the team insights
// differ between users and teams.
type profile struct {
	seed         uint64
	workProb     float64 // chance of working on a weekday
	hours        float64 // mean hours a working day
	stopDay      int     // day index from which they no longer use AutoCAD; -1 never
	usesRevit    bool
	version      string  // their AutoCAD version
	outlierDays  int     // days they start an old AutoCAD version
	machine      float64 // their workstation's speed factor on startup
	saveMedianMS float64 // their drawings' save time
	cmdsPerHour  float64
}

const (
	mainVersion    = "2027.1"
	laggardVersion = "2026.2"
	outlierVersion = "2024.0.3"
	revitVersion   = "2026.4"
)

func newProfile(rng *rand.Rand, t *Team, days int) profile {
	p := profile{
		seed:         rng.Uint64(),
		workProb:     0.55 + 0.4*rng.Float64(),
		hours:        1.5 + 5.5*rng.Float64(),
		stopDay:      -1,
		usesRevit:    rng.Float64() < t.revit,
		version:      mainVersion,
		machine:      math.Exp(rng.NormFloat64() * 0.3),
		saveMedianMS: 900 * math.Exp(rng.NormFloat64()*0.6),
		cmdsPerHour:  40 + 120*rng.Float64(),
	}
	switch r := rng.IntN(100); {
	case r < 7:
		p.stopDay = rng.IntN(max(1, days-90)) // left before the insight window
	case r < 10:
		p.stopDay = 0 // assigned, never used
	case r < 14:
		p.stopDay = days - 90 + rng.IntN(60) // stopped recently: still active in the window
	}
	if rng.IntN(6) == 0 {
		p.version = laggardVersion
	}
	if rng.IntN(40) == 0 {
		p.outlierDays = 1 + rng.IntN(3)
	}
	return p
}

// revitMix is the command mix of Revit work, the same in every team.
var revitMix = map[string]float64{"Architecture": 35, "Modify": 25, "Annotate": 15, "View": 18, "Files": 7}

// Days returns the day records of one user over the simulated days, as
// their agent would upload them. The same organization gives the same days.
func (org *Org) Days(u *User) []wire.Day {
	rng := rand.New(rand.NewPCG(u.seed, 2))
	cat := catalog.Builtin()
	var out []wire.Day
	first := org.Opt.End.AddDate(0, 0, -org.Opt.Days)
	outliers := u.outlierDays
	for k := 0; k < org.Opt.Days; k++ {
		date := first.AddDate(0, 0, k)
		weekend := date.Weekday() == 0 || date.Weekday() == 6
		if (weekend && rng.IntN(30) != 0) || rng.Float64() > u.workProb {
			continue
		}
		hours := max(0.25, u.hours*(0.6+0.8*rng.Float64()))
		acad := u.stopDay < 0 || k < u.stopDay
		revit := u.usesRevit && rng.IntN(2) == 0
		if acad && revit {
			hours /= 2
		}
		ds := date.Format(wire.DateLayout)
		if acad {
			out = append(out, u.day(rng, cat, ds, "AutoCAD", u.version, hours, u.Team.mix, 9000))
			if outliers > 0 && k >= org.Opt.Days-20 && rng.IntN(4) == 0 {
				outliers--
				out = append(out, u.day(rng, cat, ds, "AutoCAD", outlierVersion, 0.5, u.Team.mix, 11000))
			}
		}
		if revit {
			out = append(out, u.day(rng, cat, ds, "Revit", revitVersion, hours, revitMix, 24000))
		}
	}
	return out
}

// day is one day of one product: minutes and sessions, and analytics when
// the user opted in.
func (u *User) day(rng *rand.Rand, cat *catalog.Catalog, date, product, version string, hours float64, mix map[string]float64, startupMS float64) wire.Day {
	sessions := 1 + rng.IntN(3)
	d := wire.Day{Date: date, User: u.Upload, Product: product, Version: version,
		Minutes: min(1440, int(hours*60)), Sessions: sessions}
	if !u.Consent {
		return d
	}
	a := &wire.Analytics{StartupMS: &wire.Stat{}, Commands: map[string]*wire.Outcomes{}}
	for i := 0; i < sessions; i++ {
		a.StartupMS.Add(int64(startupMS * u.machine * math.Exp(rng.NormFloat64()*0.15)))
	}
	docs := 1 + rng.IntN(4)
	a.OpenMS, a.SaveMS, a.DocBytes = &wire.Stat{}, &wire.Stat{}, &wire.Stat{}
	for i := 0; i < docs; i++ {
		size := int64(300_000 * math.Exp(rng.NormFloat64()*0.8))
		a.DocBytes.Add(size)
		a.OpenMS.Add(int64(u.saveMedianMS * 1.4 * math.Exp(rng.NormFloat64()*0.3)))
	}
	for i := 0; i < docs*(1+rng.IntN(5)); i++ {
		a.SaveMS.Add(int64(u.saveMedianMS * math.Exp(rng.NormFloat64()*0.3)))
	}
	p, _ := cat.Lookup(product)
	cats := make([]string, 0, len(mix))
	var total float64
	for c := range mix {
		cats = append(cats, c)
		total += mix[c]
	}
	sort.Strings(cats)
	n := int(hours * u.cmdsPerHour * (0.7 + 0.6*rng.Float64()))
	for i := 0; i < n; i++ {
		r := rng.Float64() * total
		c := cats[len(cats)-1]
		for _, name := range cats {
			if r -= mix[name]; r < 0 {
				c = name
				break
			}
		}
		cmds := p.Categories[c]
		if len(cmds) == 0 {
			continue
		}
		// Each user leans on a few favourite commands of a category (their
		// own, from the offset), as people do.
		name := cmds[(int(u.seed%7)+int(float64(len(cmds))*math.Pow(rng.Float64(), 3)))%len(cmds)]
		o := a.Commands[name]
		if o == nil {
			o = &wire.Outcomes{}
			a.Commands[name] = o
		}
		o.Started++
		switch r := rng.IntN(100); {
		case r < 6:
			o.Canceled++
		case r < 9:
			o.Undone++
			o.Completed++
		default:
			o.Completed++
		}
	}
	a.Views = map[string]int64{"2d.ZOOM": int64(n / 5), "2d.PAN": int64(n / 7)}
	a.Settings = map[string]float64{"FILEDIA": 1}
	d.Analytics = a
	return d
}
