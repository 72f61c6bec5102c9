package revitjournal_test

import (
	"bytes"
	"os"
	"testing"

	"teamlens/agent/internal/revitjournal"
)

// BenchmarkParseRealJournal reports Revit journal lines parsed per second
// of one core, on a real journal.
func BenchmarkParseRealJournal(b *testing.B) {
	data, err := os.ReadFile("testdata/journal.0001.txt")
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Count(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := revitjournal.ReadAll(bytes.NewReader(data), &revitjournal.Parser{Session: "rvt-1"}, map[string]int{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}
