// Package metrics defines the collector's Prometheus metrics on a registry
// the caller owns (never the global default one) and serves them.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the collector's metrics.
type Metrics struct {
	reg             *prometheus.Registry
	Requests        *prometheus.CounterVec   // by route pattern and status code
	RequestDuration *prometheus.HistogramVec // by route pattern
	UploadDays      prometheus.Counter       // days accepted
	UploadBatchDays prometheus.Histogram     // days per accepted upload
	InsightJob      prometheus.Histogram     // seconds to compute one day's snapshots
}

// SizeFunc reports the database's size in bytes.
type SizeFunc func(ctx context.Context) (int64, error)

// New registers the collector's metrics, the Go runtime's and the
// process's on reg; dbSize, if not nil, is read at each scrape.
func New(reg *prometheus.Registry, dbSize SizeFunc) *Metrics {
	m := &Metrics{
		reg: reg,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "teamlens_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "teamlens_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		UploadDays: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "teamlens_upload_days_total", Help: "Usage days accepted from uploads.",
		}),
		UploadBatchDays: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "teamlens_upload_batch_days", Help: "Days per accepted upload.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8),
		}),
		InsightJob: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "teamlens_insights_job_duration_seconds", Help: "Time the daily insight job takes to compute one day's snapshots.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 9),
		}),
	}
	reg.MustRegister(m.Requests, m.RequestDuration, m.UploadDays, m.UploadBatchDays, m.InsightJob,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if dbSize != nil {
		reg.MustRegister(&sizeCollector{size: dbSize, desc: prometheus.NewDesc("teamlens_database_size_bytes",
			"Size of the collector's database (SQLite file or PostgreSQL database).", nil, nil)})
	}
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveInsightJob records one day's computation.
func (m *Metrics) ObserveInsightJob(took time.Duration) { m.InsightJob.Observe(took.Seconds()) }

// sizeCollector asks the database for its size at scrape time; a failure
// shows as a scrape error rather than a stale or zero value.
type sizeCollector struct {
	size SizeFunc
	desc *prometheus.Desc
}

func (c *sizeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *sizeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := c.size(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}
