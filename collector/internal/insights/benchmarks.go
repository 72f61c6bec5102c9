package insights

import (
	"context"
	"sort"

	"teamlens/collector/internal/store"
	"teamlens/shared/wire"
)

// Benchmarks returns the collector-wide quartiles of per-login mean startup,
// open and save times of product over the window ending on to, for My Insights.
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

func quartiles(means []float64) *wire.Quartiles {
	if len(means) < wire.MinBenchmarkUsers {
		return nil
	}
	sort.Float64s(means)
	return &wire.Quartiles{Users: len(means), P25: Percentile(means, 0.25), P50: Percentile(means, 0.5), P75: Percentile(means, 0.75)}
}
