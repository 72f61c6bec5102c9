package localclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"teamlens/shared/wire"
)

// Client calls the agent's local API. Safe for concurrent use.
type Client struct {
	hc *http.Client
}

// NewClient returns a client of the agent listening at socketPath: a Unix
// socket, or on Windows a named pipe such as \\.\pipe\teamlens-agent.
func NewClient(socketPath string) *Client {
	return NewClientTransport(&http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dial(ctx, socketPath)
		},
		MaxIdleConns:    4,
		IdleConnTimeout: 30 * time.Second,
	})
}

// NewClientTransport returns a client whose requests go through rt, for
// tests and for other transports.
func NewClientTransport(rt http.RoundTripper) *Client {
	return &Client{hc: &http.Client{Transport: rt, Timeout: 30 * time.Second}}
}

// Error is an answer of the API other than success.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("agent: %s (%d)", e.Message, e.Status)
}

// IsForbidden reports whether err is the API refusing the caller, e.g. an
// opt-in that the administrator's policy forbids.
func IsForbidden(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusForbidden
}

// Health checks that the agent answers.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/v1/health", nil, nil)
}

// Me returns the caller's identity, consent, policy and products.
func (c *Client) Me(ctx context.Context) (Me, error) {
	var v Me
	err := c.do(ctx, http.MethodGet, "/v1/me", nil, &v)
	return v, err
}

// SetConsent turns the caller's analytics on or off and returns the
// consent now in force.
func (c *Client) SetConsent(ctx context.Context, on bool) (bool, error) {
	var v ConsentResponse
	err := c.do(ctx, http.MethodPut, "/v1/consent", ConsentRequest{On: on}, &v)
	return v.Consent, err
}

// WithdrawConsent turns the caller's analytics off and withdraws what was
// shared ("stop and withdraw what I shared"): days already uploaded are
// sent again without analytics, so the collector drops them. SetConsent
// with false is the other choice, "stop sharing from now on".
func (c *Client) WithdrawConsent(ctx context.Context) (bool, error) {
	var v ConsentResponse
	err := c.do(ctx, http.MethodPut, "/v1/consent", ConsentRequest{On: false, Withdraw: true}, &v)
	return v.Consent, err
}

// Days returns the caller's day records with from <= date <= to
// (YYYY-MM-DD; empty is open).
func (c *Client) Days(ctx context.Context, from, to string) ([]wire.Day, error) {
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	if to != "" {
		q.Set("to", to)
	}
	var v []wire.Day
	err := c.do(ctx, http.MethodGet, "/v1/days?"+q.Encode(), nil, &v)
	return v, err
}

// Export returns everything the agent stores about the caller.
func (c *Client) Export(ctx context.Context) (Export, error) {
	var v Export
	err := c.do(ctx, http.MethodGet, "/v1/export", nil, &v)
	return v, err
}

// ExportTo writes the export document, as the agent formats it, to w.
func (c *Client) ExportTo(ctx context.Context, w io.Writer) error {
	resp, err := c.send(ctx, http.MethodGet, "/v1/export", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// Status returns the agent's status as the caller may see it: the
// document `agent status` prints, with only the caller's consent and
// quarantined days.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var v Status
	err := c.do(ctx, http.MethodGet, "/v1/status", nil, &v)
	return v, err
}

// Events returns the caller's newest raw events, at most limit.
func (c *Client) Events(ctx context.Context, limit int) (Events, error) {
	var v Events
	err := c.do(ctx, http.MethodGet, "/v1/events?limit="+strconv.Itoa(limit), nil, &v)
	return v, err
}

// Forget deletes everything the agent stores about the caller.
func (c *Client) Forget(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/v1/data", nil, nil)
}

// Overview returns the caller's usage time over the last days days.
func (c *Client) Overview(ctx context.Context, days int) (Overview, error) {
	var v Overview
	err := c.do(ctx, http.MethodGet, "/v1/insights/overview?days="+strconv.Itoa(days), nil, &v)
	return v, err
}

// Commands returns the caller's command insights for product over the
// last days days.
func (c *Client) Commands(ctx context.Context, product string, days int) (Commands, error) {
	q := url.Values{"product": {product}, "days": {strconv.Itoa(days)}}
	var v Commands
	err := c.do(ctx, http.MethodGet, "/v1/insights/commands?"+q.Encode(), nil, &v)
	return v, err
}

// Performance returns the caller's performance figures and benchmarks.
func (c *Client) Performance(ctx context.Context) (Performance, error) {
	var v Performance
	err := c.do(ctx, http.MethodGet, "/v1/insights/performance", nil, &v)
	return v, err
}

// Benchmarks returns the cached collector benchmarks; an *Error with
// status 404 means there are none.
func (c *Client) Benchmarks(ctx context.Context) (BenchmarkCache, error) {
	var v BenchmarkCache
	err := c.do(ctx, http.MethodGet, "/v1/benchmarks", nil, &v)
	return v, err
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("agent: %s %s: decode: %w", method, path, err)
	}
	return nil
}

// send makes the request and turns any non-2xx answer into an *Error.
func (c *Client) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	// The host is ignored by the socket dialer; it names the API in logs.
	req, err := http.NewRequestWithContext(ctx, method, "http://teamlens-agent"+path, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("agent not reachable: %w", err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e struct {
		Error string `json:"error"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &e) != nil || e.Error == "" {
		e.Error = http.StatusText(resp.StatusCode)
	}
	return nil, &Error{Status: resp.StatusCode, Message: e.Error}
}
