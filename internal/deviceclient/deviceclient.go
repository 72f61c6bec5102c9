// Package deviceclient is a device's side of the collector's device
// routes: enrollment with the enroll secret, the credential kept in a data
// directory, gzip JSON batches and other requests with the bearer token.
// The agent's uploader and the simulators (internal/simupload) both speak
// through it, so a simulated device puts the agent's own bytes on the wire.
package deviceclient

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
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"teamlens/shared/wire"
)

// TokenFile is the device credential's name in the data directory.
const TokenFile = "device.token"

// Device is the credential the collector issued at enrollment.
type Device struct {
	Collector string `json:"collector"`
	ID        string `json:"device_id"`
	Token     string `json:"device_token"`
}

// Client talks to one collector as the device whose credential is kept in
// DataDir. The optional fields have production defaults.
type Client struct {
	Collector    string
	EnrollSecret string
	DataDir      string
	HTTP         *http.Client // default: 30s timeout; redirects are never followed
	Log          *slog.Logger
}

func (c *Client) defaults() {
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if c.HTTP.CheckRedirect == nil {
		// A redirect would carry the enroll secret, the bearer token and the
		// users' days to wherever it points (from https to http, too); the
		// contract's client follows none, and a 3xx is an answer to back
		// off from. The caller's client is copied, not changed.
		h := *c.HTTP
		h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		c.HTTP = &h
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// Device returns the stored credential, enrolling first when there is
// none for this collector.
func (c *Client) Device(ctx context.Context) (Device, error) {
	c.defaults()
	path := filepath.Join(c.DataDir, TokenFile)
	var dev Device
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &dev); err == nil && dev.Token != "" && dev.Collector == c.Collector {
			return dev, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return dev, fmt.Errorf("device token: %w", err)
	}
	host, _ := os.Hostname()
	body, _ := json.Marshal(wire.EnrollRequest{EnrollSecret: c.EnrollSecret, Hostname: host})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint("/v1/enroll"), bytes.NewReader(body))
	if err != nil {
		return dev, err
	}
	req.Header.Set("Content-Type", "application/json")
	status, _, resp, err := c.do(req)
	if err != nil {
		return dev, fmt.Errorf("enroll: %w", err)
	}
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return dev, fmt.Errorf("enroll: the collector refused the enroll secret: %s", ErrorText(resp))
	}
	if status != http.StatusOK {
		return dev, fmt.Errorf("enroll: collector answered %d: %s", status, ErrorText(resp))
	}
	var got wire.EnrollResponse
	if err := json.Unmarshal(resp, &got); err != nil || got.DeviceToken == "" {
		return dev, fmt.Errorf("enroll: unreadable answer")
	}
	dev = Device{Collector: c.Collector, ID: got.DeviceID, Token: got.DeviceToken}
	b, _ := json.Marshal(dev)
	if err := writeSecret(path, b); err != nil {
		return dev, fmt.Errorf("device token: %w", err)
	}
	c.Log.Info("enrolled with the collector", "device_id", dev.ID)
	return dev, nil
}

// Forget drops the stored credential, so the next Device enrolls again.
func (c *Client) Forget() error {
	if err := os.Remove(filepath.Join(c.DataDir, TokenFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("device token: %w", err)
	}
	return nil
}

// Send posts one batch of days (gzip JSON, bearer token) and returns the
// collector's status and body; a 503 comes with a *BusyError.
func (c *Client) Send(ctx context.Context, dev Device, days []wire.Day) (int, []byte, error) {
	c.defaults()
	batch := wire.Batch{Schema: wire.Schema, BatchID: newUUID(), Days: days}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(batch); err != nil {
		return 0, nil, err
	}
	if err := zw.Close(); err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint("/v1/usage"), &buf)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+dev.Token)
	status, h, body, err := c.do(req)
	if status == http.StatusServiceUnavailable {
		return status, body, &BusyError{After: retryAfter(h), Msg: ErrorText(body)}
	}
	return status, body, err
}

// Get sends GET path with the device's bearer token and returns the
// collector's status and body.
func (c *Client) Get(ctx context.Context, dev Device, path string) (int, []byte, error) {
	c.defaults()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint(path), nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+dev.Token)
	status, _, body, err := c.do(req)
	return status, body, err
}

func (c *Client) do(req *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, body, err
}

func (c *Client) endpoint(path string) string {
	return strings.TrimSuffix(c.Collector, "/") + path
}

// ErrorText is the message of a collector's error body, or the start of a
// body of another shape (an HTML page of a proxy).
func ErrorText(body []byte) string {
	if e, ok := wire.ReadError(body); ok {
		return e.Error
	}
	return strings.TrimSpace(string(body[:min(len(body), 200)]))
}

// BusyError is a 503: the collector is overloaded and says how long to
// wait before the next attempt.
type BusyError struct {
	After time.Duration
	Msg   string
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("collector busy (503, retry after %s): %s", e.After, e.Msg)
}

// retryAfter reads Retry-After in seconds, bounded by an hour so a wrong
// header cannot stall uploads for days.
func retryAfter(h http.Header) time.Duration {
	n, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || n < 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, time.Hour)
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

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
