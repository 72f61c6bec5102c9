// Package upload sends the agent's changed day records to the collector:
// enrollment once, then gzip batches, marked uploaded only after a 200,
// with backoff that never gives up while data waits on disk.
package upload

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"

	"teamlens/agent/internal/store"
	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

// TokenFile is the device credential's name in the data directory.
const TokenFile = "device.token"

// Uploader uploads pending days. Optional fields have production defaults.
type Uploader struct {
	Collector    string
	EnrollSecret string
	DataDir      string
	Store        *store.Store
	Interval     time.Duration
	Log          *slog.Logger
	// Products whose collector-wide benchmarks are fetched for My Insights.
	Products []string

	Client    *http.Client // default: 30s timeout
	BatchDays int          // default 500
	Now       func() time.Time
}

// Device is the credential the collector issued at enrollment.
type Device struct {
	Collector string `json:"collector"`
	ID        string `json:"device_id"`
	Token     string `json:"device_token"`
}

func (u *Uploader) defaults() {
	if u.Client == nil {
		u.Client = &http.Client{Timeout: 30 * time.Second}
	}
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
}

// Run uploads every Interval until ctx ends, retrying failures with
// exponential backoff and jitter, and makes a last attempt at shutdown.
func (u *Uploader) Run(ctx context.Context) error {
	u.defaults()
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
	dev, err := u.device(ctx)
	if err != nil {
		return err
	}
	limit := u.BatchDays
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
			if err := u.Store.MarkUploaded(ctx, days); err != nil {
				return err
			}
			u.Log.Info("uploaded", "days", len(days))
		case status == http.StatusBadRequest:
			// One bad day must not block the others: set it aside and go on.
			bad := badDay(body, len(days))
			reason := errorText(body)
			u.Log.Error("collector refused a day; quarantined", "date", days[bad].Date, "product", days[bad].Product, "reason", reason)
			if err := u.Store.Quarantine(ctx, days[bad], reason); err != nil {
				return err
			}
		case status == http.StatusRequestEntityTooLarge && limit > 1:
			limit /= 2
		case status == http.StatusUnauthorized:
			return fmt.Errorf("the collector refused this device's token (revoked?): %s", errorText(body))
		default:
			return fmt.Errorf("collector answered %d: %s", status, errorText(body))
		}
	}
	return u.refreshBenchmarks(ctx, dev)
}

// badDay is the index of the day a 400 names, or the first day.
func badDay(body []byte, n int) int {
	var e struct {
		Day *int `json:"day"`
	}
	if json.Unmarshal(body, &e) == nil && e.Day != nil && *e.Day >= 0 && *e.Day < n {
		return *e.Day
	}
	return 0
}

func errorText(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return e.Error
	}
	return strings.TrimSpace(string(body[:min(len(body), 200)]))
}

func (u *Uploader) post(ctx context.Context, dev Device, days []store.PendingDay) (int, []byte, error) {
	batch := wire.Batch{Schema: wire.Schema, BatchID: newUUID(), Days: make([]wire.Day, len(days))}
	for i, d := range days {
		batch.Days[i] = d.Day
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(batch); err != nil {
		return 0, nil, err
	}
	if err := zw.Close(); err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.endpoint("/v1/usage"), &buf)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+dev.Token)
	return u.do(req)
}

func (u *Uploader) do(req *http.Request) (int, []byte, error) {
	resp, err := u.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

func (u *Uploader) endpoint(path string) string {
	return strings.TrimSuffix(u.Collector, "/") + path
}

// device returns the stored credential, enrolling first when there is
// none for this collector.
func (u *Uploader) device(ctx context.Context) (Device, error) {
	path := filepath.Join(u.DataDir, TokenFile)
	var dev Device
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &dev); err == nil && dev.Token != "" && dev.Collector == u.Collector {
			return dev, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return dev, fmt.Errorf("device token: %w", err)
	}
	host, _ := os.Hostname()
	body, _ := json.Marshal(map[string]string{"enroll_secret": u.EnrollSecret, "hostname": host})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.endpoint("/v1/enroll"), bytes.NewReader(body))
	if err != nil {
		return dev, err
	}
	req.Header.Set("Content-Type", "application/json")
	status, resp, err := u.do(req)
	if err != nil {
		return dev, fmt.Errorf("enroll: %w", err)
	}
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return dev, fmt.Errorf("enroll: the collector refused the enroll secret: %s", errorText(resp))
	}
	if status != http.StatusOK {
		return dev, fmt.Errorf("enroll: collector answered %d: %s", status, errorText(resp))
	}
	if err := json.Unmarshal(resp, &dev); err != nil || dev.Token == "" {
		return dev, fmt.Errorf("enroll: unreadable answer")
	}
	dev.Collector = u.Collector
	b, _ := json.Marshal(dev)
	if err := writeSecret(path, b); err != nil {
		return dev, fmt.Errorf("device token: %w", err)
	}
	u.Log.Info("enrolled with the collector", "device_id", dev.ID)
	return dev, nil
}

// writeSecret replaces path atomically with a file only its owner reads.
func writeSecret(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
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
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.endpoint("/v1/benchmarks?product="+url.QueryEscape(p)), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+dev.Token)
		status, body, err := u.do(req)
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

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
