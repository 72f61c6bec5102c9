// Package upload sends the agent's changed day records to the collector:
// enrollment once, then gzip batches, marked uploaded only after a 200,
// with backoff that never gives up while data waits on disk.
package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/cenkalti/backoff/v4"

	"teamlens/agent/internal/store"
	"teamlens/internal/deviceclient"
	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

// TokenFile is the device credential's name in the data directory.
const TokenFile = deviceclient.TokenFile

// Uploader uploads pending days. Optional fields have production defaults.
type Uploader struct {
	Collector    string
	EnrollSecret string
	DataDir      string
	Store        Store
	Interval     time.Duration
	Log          *slog.Logger
	// Products whose collector-wide benchmarks are fetched for My Insights.
	Products []string

	Client    *http.Client // default: 30s timeout; redirects are never followed
	BatchDays int          // default 500
	Now       func() time.Time

	device *deviceclient.Client
}

// Device is the credential the collector issued at enrollment.
type Device = deviceclient.Device

func (u *Uploader) defaults() {
	if u.BatchDays <= 0 {
		u.BatchDays = 500
	}
	if u.Interval <= 0 {
		u.Interval = time.Hour
	}
	if u.Log == nil {
		u.Log = slog.New(slog.DiscardHandler)
	}
	if u.Now == nil {
		u.Now = time.Now
	}
	if u.device == nil {
		u.device = &deviceclient.Client{Collector: u.Collector, EnrollSecret: u.EnrollSecret, DataDir: u.DataDir, HTTP: u.Client, Log: u.Log}
	}
}

// Run uploads every Interval until ctx ends, retrying failures with
// exponential backoff and jitter, and makes a last attempt at shutdown.
func (u *Uploader) Run(ctx context.Context) error {
	u.defaults()
	if msg := PlainHTTPWarning(u.Collector); msg != "" {
		u.Log.Warn(msg, "collector", u.Collector)
	}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = min(5*time.Second, u.Interval)
	bo.MaxInterval = max(u.Interval, bo.InitialInterval)
	bo.MaxElapsedTime = 0 // never give up: the data is safe on disk
	bo.RandomizationFactor = 0.5
	wait := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := u.Once(final); err != nil {
				u.Log.Warn("upload at shutdown", "err", err)
			}
			return nil
		case <-time.After(wait):
		}
		if err := u.Once(ctx); err != nil {
			if ctx.Err() != nil {
				continue
			}
			wait = bo.NextBackOff()
			var busy *deviceclient.BusyError
			if errors.As(err, &busy) {
				wait = max(wait, busy.After)
			}
			u.Log.Warn("upload failed; retrying", "err", err, "in", wait.Round(time.Second))
			continue
		}
		bo.Reset()
		wait = u.Interval
	}
}

// Once enrolls if needed, uploads everything pending and refreshes the
// benchmarks when they are a day old. The outcome is recorded for status.
func (u *Uploader) Once(ctx context.Context) error {
	u.defaults()
	err := u.once(ctx)
	if rerr := u.Store.RecordUpload(ctx, u.Now(), err); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

func (u *Uploader) once(ctx context.Context) error {
	dev, err := u.device.Device(ctx)
	if err != nil {
		return err
	}
	limit := u.BatchDays
	reenrolled := false
	for {
		days, err := u.Store.PendingDays(ctx, limit)
		if err != nil {
			return err
		}
		if len(days) == 0 {
			break
		}
		status, body, err := u.post(ctx, dev, days)
		if err != nil {
			return err
		}
		switch {
		case status == http.StatusOK:
			if n, ok := accepted(body); !ok || n != len(days) {
				return fmt.Errorf("collector answered 200 without accepting the %d days sent (%s); they stay queued", len(days), errorText(body))
			}
			if err := u.Store.MarkUploaded(ctx, days); err != nil {
				return err
			}
			u.Log.Info("uploaded", "days", len(days))
		case status == http.StatusBadRequest:
			// One bad day must not block the others: set it aside and go
			// on. A 400 naming no day (a proxy, a schema change) blames
			// the batch, not a day: every day stays queued.
			bad, ok := badDay(body, len(days))
			if !ok {
				return fmt.Errorf("collector refused the batch without naming a day: %s", errorText(body))
			}
			reason := errorText(body)
			u.Log.Error("collector refused a day; quarantined (agent requeue releases it)", "date", days[bad].Date, "product", days[bad].Product, "reason", reason)
			if err := u.Store.Quarantine(ctx, days[bad], reason); err != nil {
				return err
			}
		case status == http.StatusRequestEntityTooLarge && limit > 1:
			limit /= 2
		case status == http.StatusUnauthorized && !reenrolled:
			// The collector's database was restored or rebuilt, or the
			// device revoked by mistake: enroll again, as osquery does for
			// an invalid node key, and keep every pending day.
			reenrolled = true
			if dev, err = u.reenroll(ctx, errorText(body)); err != nil {
				return err
			}
		case status == http.StatusUnauthorized:
			return fmt.Errorf("the collector refused this device's new token too: %s", errorText(body))
		default:
			return fmt.Errorf("collector answered %d: %s", status, errorText(body))
		}
	}
	return u.refreshBenchmarks(ctx, dev)
}

// accepted reads the count of a 200 {"accepted":N}; an answer of another
// shape (an HTML page of a proxy) is no acceptance.
func accepted(body []byte) (int, bool) {
	var a wire.Accepted
	if json.Unmarshal(body, &a) != nil || a.Accepted == nil {
		return 0, false
	}
	return *a.Accepted, true
}

// PlainHTTPWarning is a loud warning when collector is a plain-http URL of
// a host other than this machine, "" otherwise.
func PlainHTTPWarning(collector string) string {
	u, err := url.Parse(collector)
	if err != nil || u.Scheme != "http" {
		return ""
	}
	host := u.Hostname()
	if host == "localhost" {
		return ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return ""
	}
	return "WARNING: the collector URL is plain http to another host: the enroll secret, the device token and every user's usage cross the network unencrypted and unauthenticated; use https"
}

// badDay is the index of the day a 400 names, if it names one of the n
// days sent.
func badDay(body []byte, n int) (int, bool) {
	var e wire.Error
	if json.Unmarshal(body, &e) == nil && e.Day != nil && *e.Day >= 0 && *e.Day < n {
		return *e.Day, true
	}
	return 0, false
}

func errorText(body []byte) string { return deviceclient.ErrorText(body) }

func (u *Uploader) post(ctx context.Context, dev Device, days []store.PendingDay) (int, []byte, error) {
	sent := make([]wire.Day, len(days))
	for i, d := range days {
		sent[i] = d.Day
	}
	return u.device.Send(ctx, dev, sent)
}

// BenchmarksKey is the store meta key of the cached benchmarks.
const BenchmarksKey = "benchmarks"

// refreshBenchmarks fetches the collector-wide quartiles once a day.
func (u *Uploader) refreshBenchmarks(ctx context.Context, dev Device) error {
	if len(u.Products) == 0 {
		return nil
	}
	var c localclient.BenchmarkCache
	if raw, err := u.Store.Meta(ctx, BenchmarksKey); err == nil && raw != "" {
		if json.Unmarshal([]byte(raw), &c) == nil {
			if at, err := time.Parse(time.RFC3339, c.FetchedAt); err == nil && u.Now().Sub(at) < 24*time.Hour {
				return nil
			}
		}
	}
	c = localclient.BenchmarkCache{FetchedAt: u.Now().UTC().Format(time.RFC3339), Products: map[string]wire.Benchmarks{}}
	for _, p := range u.Products {
		status, body, err := u.device.Get(ctx, dev, "/v1/benchmarks?product="+url.QueryEscape(p))
		if err != nil {
			return fmt.Errorf("benchmarks: %w", err)
		}
		if status != http.StatusOK {
			return fmt.Errorf("benchmarks: collector answered %d: %s", status, errorText(body))
		}
		var b wire.Benchmarks
		if err := json.Unmarshal(body, &b); err != nil {
			return fmt.Errorf("benchmarks: %w", err)
		}
		c.Products[p] = b
	}
	raw, _ := json.Marshal(c)
	return u.Store.SetMeta(ctx, BenchmarksKey, string(raw))
}
