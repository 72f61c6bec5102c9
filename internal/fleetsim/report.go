package fleetsim

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// Summary is a one-line account of a recorder: requests by answer and
// latency quantiles.
func (r *Recorder) Summary() string {
	other := 0
	for s, n := range r.Status {
		if s != http.StatusOK && s != http.StatusServiceUnavailable {
			other += n
		}
	}
	return fmt.Sprintf("%d requests: 200=%d 503=%d other=%d; latency p50 %s p99 %s (200s: p50 %s p99 %s)",
		len(r.Latency)+r.Status[0], r.Status[http.StatusOK], r.Status[http.StatusServiceUnavailable], other,
		ms(Quantile(r.Latency, 0.5)), ms(Quantile(r.Latency, 0.99)), ms(Quantile(r.OK, 0.5)), ms(Quantile(r.OK, 0.99)))
}

// Others counts answers that were neither 200 nor 503, transport errors
// included.
func (r *Recorder) Others() int {
	n := 0
	for s, c := range r.Status {
		if s != http.StatusOK && s != http.StatusServiceUnavailable {
			n += c
		}
	}
	return n
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

// Print writes the load test's report.
func (rep *LoadReport) Print(w io.Writer, lo LoadOptions) {
	fmt.Fprintf(w, "burst: %d agents enrolled and uploaded a day each in %s: %s\n", lo.Agents, rep.BurstTime.Round(time.Millisecond), rep.Burst.Summary())
	fmt.Fprintf(w, "continuous: %d agents for %s: %s; %.0f days/s acknowledged\n", lo.Continuous, lo.Duration, rep.Continuous.Summary(),
		float64(rep.Continuous.DaysAcked)/lo.Duration.Seconds())
}
