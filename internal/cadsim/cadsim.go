// Package cadsim simulates a CAD user's working days as journal files, for
// the demo, tests and benchmarks.
package cadsim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"teamlens/shared/journal"
)

// Options shape a simulation; zero values take the defaults.
type Options struct {
	Product  string    // default AutoCAD
	Version  string    // default 2027.1
	Days     int       // working days, ending the day before End (default 1)
	End      time.Time // default now
	Commands int       // commands per day (default 300)
	Seed     uint64
}

var commandMix = []string{
	"LINE", "LINE", "LINE", "PLINE", "CIRCLE", "ARC", "RECTANG", "HATCH", "MOVE", "MOVE", "COPY", "COPY",
	"ROTATE", "TRIM", "TRIM", "EXTEND", "OFFSET", "OFFSET", "MIRROR", "FILLET", "ERASE", "ERASE",
	"DIMLINEAR", "DIMLINEAR", "MTEXT", "MLEADER", "LAYER", "LAYISO", "INSERT", "BLOCK", "ZOOM",
	"ZOOM", "ZOOM", "PAN", "PAN", "REGEN", "QSAVE", "PLOT", "MATCHPROP", "PROPERTIES", "PURGE",
}

// Run writes one journal file per simulated session into dir and returns
// the number of events written.
func Run(dir string, o Options) (int, error) {
	if o.Product == "" {
		o.Product = "AutoCAD"
	}
	if o.Version == "" {
		o.Version = "2027.1"
	}
	if o.Days <= 0 {
		o.Days = 1
	}
	if o.End.IsZero() {
		o.End = time.Now()
	}
	if o.Commands <= 0 {
		o.Commands = 300
	}
	rng := rand.New(rand.NewPCG(o.Seed, 42))
	total := 0
	for d := o.Days; d >= 1; d-- {
		day := o.End.AddDate(0, 0, -d)
		start := time.Date(day.Year(), day.Month(), day.Day(), 8, 30+rng.IntN(30), 0, 0, day.Location())
		n, err := session(dir, o, rng, start)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// session simulates one working day: start, drawings opened and saved,
// commands with their outcomes, settings, object counts and view changes.
func session(dir string, o Options, rng *rand.Rand, start time.Time) (int, error) {
	w, err := journal.Create(dir, o.Product, o.Version)
	if err != nil {
		return 0, err
	}
	clock := start
	w.Now = func() time.Time { return clock }
	step := func(maxSeconds int) { clock = clock.Add(time.Duration(5+rng.IntN(maxSeconds)) * time.Second) }
	n := 0
	write := func(err error) error {
		if err == nil {
			n++
		}
		return err
	}
	if err := write(w.Start(int64(2500 + rng.IntN(4000)))); err != nil {
		return n, err
	}
	step(30)
	if err := write(w.SettingBool("FILEDIA", true)); err != nil {
		return n, err
	}
	if err := write(w.SettingNumber("OSMODE", 4133)); err != nil {
		return n, err
	}
	for i := 0; i < o.Commands; i++ {
		if i%60 == 0 {
			step(20)
			if err := write(w.Open(time.Duration(800+rng.IntN(3000))*time.Millisecond, int64(200_000+rng.IntN(5_000_000)))); err != nil {
				return n, err
			}
		}
		name := commandMix[rng.IntN(len(commandMix))]
		step(90)
		if err := write(w.Command("_"+name, "started")); err != nil {
			return n, err
		}
		outcome := "completed"
		switch r := rng.IntN(20); {
		case r == 0:
			outcome = "canceled"
		case r == 1:
			outcome = "undone"
		}
		step(40)
		if err := write(w.Command(name, outcome)); err != nil {
			return n, err
		}
		if name == "ZOOM" || name == "PAN" {
			if err := write(w.View("2d", name)); err != nil {
				return n, err
			}
		}
		if i%60 == 59 {
			step(10)
			if err := write(w.Save(time.Duration(300+rng.IntN(1500))*time.Millisecond, int64(200_000+rng.IntN(5_000_000)))); err != nil {
				return n, err
			}
			counts := map[string]int64{"LINE": int64(100 + rng.IntN(900)), "LWPOLYLINE": int64(rng.IntN(300)), "INSERT": int64(rng.IntN(80)), "DIMENSION": int64(rng.IntN(200))}
			if err := write(w.Objects(counts)); err != nil {
				return n, err
			}
		}
	}
	step(60)
	if err := write(w.End()); err != nil {
		return n, fmt.Errorf("end session: %w", err)
	}
	return n, nil
}
