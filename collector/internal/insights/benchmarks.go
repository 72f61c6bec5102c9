package insights

import (
	"context"
	"math"
	"sort"

	"teamlens/collector/internal/store"
	"teamlens/shared/wire"
)

// Benchmarks returns the collector-wide quartiles of per-user mean startup,
// open and save times of product over the window ending on to, for My
// Insights. Only directory users count: logins a device invents are no
// one's peers.
func Benchmarks(ctx context.Context, st *store.Store, product, to string) (*wire.Benchmarks, error) {
	from, err := WindowStart(to)
	if err != nil {
		return nil, err
	}
	stats, err := st.LoginStats(ctx, product, from, to)
	if err != nil {
		return nil, err
	}
	var startup, open, save []float64
	for _, s := range stats {
		if s.StartupN > 0 {
			startup = append(startup, s.StartupSum/s.StartupN)
		}
		if s.OpenN > 0 {
			open = append(open, s.OpenSum/s.OpenN)
		}
		if s.SaveN > 0 {
			save = append(save, s.SaveSum/s.SaveN)
		}
	}
	return &wire.Benchmarks{Product: product, From: from, To: to,
		Startup: quartiles(startup), Open: quartiles(open), Save: quartiles(save)}, nil
}

// quartiles publishes each quartile as the mean of the three means nearest
// its rank, rounded to the millisecond: with five users, linear
// interpolation would land exactly on three of them.
func quartiles(means []float64) *wire.Quartiles {
	if len(means) < wire.MinBenchmarkUsers {
		return nil
	}
	sort.Float64s(means)
	q := func(p float64) float64 {
		rank := int(math.Round(p * float64(len(means)-1)))
		lo := min(max(rank-1, 0), len(means)-3)
		return math.Round((means[lo] + means[lo+1] + means[lo+2]) / 3)
	}
	return &wire.Quartiles{Users: len(means), P25: q(0.25), P50: q(0.5), P75: q(0.75)}
}
