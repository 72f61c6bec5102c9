package procscan_test

import (
	"context"
	"os"
	"testing"

	"teamlens/agent/internal/procscan"
	"teamlens/agent/internal/store"
	"teamlens/shared/catalog"
)

// BenchmarkScanIdle is the agent's idle work: a scan of this machine's
// process table in which every process is known already and none is a
// product (scripts/idle.sh measures the whole process around it).
func BenchmarkScanIdle(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s := &procscan.Scanner{Catalog: catalog.Builtin(), Store: st}
	if err := s.Scan(ctx); err != nil {
		b.Fatal(err)
	}
	entries, _ := os.ReadDir("/proc")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Scan(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(entries)), "proc-entries")
}
