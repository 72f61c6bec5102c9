package rollup

import (
	"teamlens/shared/journal"
	"teamlens/shared/wire"
)

// Fold adds one analytics event to a day's aggregates.
func Fold(a *wire.Analytics, e *journal.Event) {
	switch e.Type {
	case journal.SessionStart:
		if e.StartupMS != nil {
			addStat(&a.StartupMS, *e.StartupMS)
		}
	case journal.DocumentOpen:
		addStat(&a.OpenMS, e.DurationMS)
		addStat(&a.DocBytes, e.SizeBytes)
	case journal.DocumentSave:
		addStat(&a.SaveMS, e.DurationMS)
		addStat(&a.DocBytes, e.SizeBytes)
	case journal.Command:
		if a.Commands == nil {
			a.Commands = map[string]*wire.Outcomes{}
		}
		o := a.Commands[e.Name]
		if o == nil {
			o = &wire.Outcomes{}
			a.Commands[e.Name] = o
		}
		o.Add(e.Outcome)
	case journal.Setting:
		if a.Settings == nil {
			a.Settings = map[string]float64{}
		}
		a.Settings[e.Name] = e.Value
	case journal.Objects:
		// Counts are snapshots of a drawing: the day keeps the largest.
		if a.Objects == nil {
			a.Objects = map[string]int64{}
		}
		for k, n := range e.Counts {
			a.Objects[k] = max(a.Objects[k], n)
		}
	case journal.View:
		// "3d" + "orbit" is counted as "3d.orbit"; a key that would be too
		// long for an identifier is left out rather than truncated.
		key := e.View + "." + e.Change
		if journal.ValidIdentifier(key) {
			if a.Views == nil {
				a.Views = map[string]int64{}
			}
			a.Views[key]++
		}
	}
}

func addStat(st **wire.Stat, v int64) {
	if *st == nil {
		*st = &wire.Stat{}
	}
	(*st).Add(v)
}
