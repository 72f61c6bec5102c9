// Package server is the collector's HTTP API: device enrollment, usage
// upload, admin reads of insight snapshots and CSV exports, benchmarks.
package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"teamlens/collector/internal/ingest"
	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/limit"
	"teamlens/collector/internal/metrics"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

// DefaultMaxBody is the default limit of an upload's inflated body.
const DefaultMaxBody = 8 << 20

// Config configures the handler; zero values of the optional fields are
// production defaults.
type Config struct {
	Store        *store.Store
	EnrollSecret string
	Catalog      *catalog.Catalog // default catalog.Builtin()
	MaxBody      int64            // default DefaultMaxBody
	Logger       *slog.Logger     // default discards
	Now          func() time.Time // default time.Now
	Metrics      *metrics.Metrics // counts requests and serves /metrics; default none
	// Teams answers admins; default a service on Store. The console shares
	// one with the API.
	Teams *teams.Service
	// Console, if set, serves every path the API does not: the Team
	// Insights console at /.
	Console      http.Handler
	Ingest       *ingest.Queue // default ingest.New with its defaults
	MaxBatchDays int           // default DefaultMaxBatchDays
	// AuthFailures is how many wrong admin tokens or enroll secrets one
	// client may send in AuthWindow before it gets 429; default 20 in 5
	// minutes.
	AuthFailures int
	AuthWindow   time.Duration
}

// PostgresWriters is how many uploads are written at once on PostgreSQL.
const PostgresWriters = 4

// Handler serves the collector API.
type Handler struct {
	cfg     Config
	mux     *http.ServeMux
	root    http.Handler
	limiter *limit.Limiter // of wrong admin tokens and enroll secrets
	bench   benchCache
}

// benchCache keeps each product's benchmarks until the day or the usage
// changes: every agent asks once a day, and the answer is a scan of the
// whole window.
type benchCache struct {
	mu   sync.Mutex
	kept map[string]benchEntry // product ->
}

type benchEntry struct {
	to, dir string
	gen     int64
	b       *wire.Benchmarks
}

// New returns the collector's HTTP handler.
func New(cfg Config) *Handler {
	if cfg.Catalog == nil {
		cfg.Catalog = catalog.Builtin()
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Teams == nil {
		cfg.Teams = teams.New(teams.Config{Store: cfg.Store, Catalog: cfg.Catalog, Logger: cfg.Logger, Now: cfg.Now})
	}
	if cfg.Ingest == nil {
		// SQLite has one write lock: one writer. PostgreSQL locks rows, and
		// an upload's rows are its device's (shared rows are locked in key
		// order): several write at once, each waiting on the network
		// rather than on the others.
		writers := 1
		if cfg.Store.Postgres() {
			writers = PostgresWriters
		}
		cfg.Ingest = ingest.New(ingest.Config{Writers: writers})
	}
	if cfg.MaxBatchDays <= 0 {
		cfg.MaxBatchDays = DefaultMaxBatchDays
	}
	if cfg.AuthFailures <= 0 {
		cfg.AuthFailures = 20
	}
	if cfg.AuthWindow <= 0 {
		cfg.AuthWindow = 5 * time.Minute
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), limiter: limit.New(cfg.AuthFailures, cfg.AuthWindow, cfg.Now)}
	for _, rt := range h.routes() {
		h.mux.Handle(rt.pattern, rt.handler)
	}
	if cfg.Console != nil {
		h.mux.Handle("/", cfg.Console)
	}
	h.root = observe(h.mux, cfg.Metrics, cfg.Logger)
	return h
}

// route is one entry of the API's route table.
type route struct {
	pattern string // "METHOD /path", as http.ServeMux reads it
	handler http.Handler
}

// routes is the whole API: every route the OpenAPI document describes.
// The console takes every other path.
func (h *Handler) routes() []route {
	rts := []route{
		{"GET /healthz", http.HandlerFunc(h.healthz)},
		{"GET /v1/openapi.json", http.HandlerFunc(openAPI)},
		{"POST /v1/enroll", http.HandlerFunc(h.enroll)},
		{"POST /v1/usage", h.device(h.usage)},
		{"GET /v1/benchmarks", h.device(h.benchmarks)},
		// Admin routes: one middleware authenticates, the teams service decides.
		{"GET /v1/teams", h.admin(h.listTeams)},
		{"GET /v1/teams/{team}", h.admin(h.team)},
		{"GET /v1/teams/{team}/insights", h.admin(h.insights)},
		{"GET /v1/teams/{team}/insights.csv", h.admin(h.insightsCSV)},
		{"GET /v1/teams/{team}/usage.csv", h.admin(h.usageCSV)},
		{"GET /v1/teams/{team}/cost", h.admin(h.cost)},
		{"GET /v1/teams/{team}/cost.csv", h.admin(h.costCSV)},
		{"GET /v1/teams/{team}/history", h.admin(h.history)},
		{"GET /v1/teams/{team}/forecast", h.admin(h.forecast)},
		{"POST /v1/teams/{team}/assignments", h.admin(h.assign)},
		{"DELETE /v1/teams/{team}/assignments/{subscription}/{email}", h.admin(h.unassign)},
		{"GET /v1/teams/{team}/audit", h.admin(h.audit)},
		{"POST /v1/teams/{team}/webhooks", h.admin(h.addWebhook)},
		{"GET /v1/teams/{team}/webhooks", h.admin(h.webhooks)},
		{"DELETE /v1/teams/{team}/webhooks/{id}", h.admin(h.deleteWebhook)},
		{"GET /v1/teams/{team}/reclaim", h.admin(h.reclaims)},
		{"PUT /v1/teams/{team}/reclaim/{product}", h.admin(h.setReclaim)},
		{"DELETE /v1/teams/{team}/reclaim/{product}", h.admin(h.deleteReclaim)},
		{"GET /v1/teams/{team}/reclaim/{product}/preview", h.admin(h.previewReclaim)},
		{"GET /v1/teams/{team}/outbox", h.admin(h.outbox)},
	}
	if h.cfg.Metrics != nil {
		rts = append(rts, route{"GET /metrics", h.cfg.Metrics.Handler()})
	}
	return rts
}

// Routes lists the API's route patterns ("METHOD /path").
func (h *Handler) Routes() []string {
	var out []string
	for _, rt := range h.routes() {
		out = append(out, rt.pattern)
	}
	return out
}

// ServeHTTP serves every route. No answer is sniffed as another type, and
// no API answer (insights, usage, audit, benchmarks: license and personal
// data) is kept by a browser or proxy cache.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		w.Header().Set("Cache-Control", "no-store")
	}
	h.root.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="teamlens"`)
	}
	writeJSON(w, status, wire.Error{Error: msg})
}

func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	if store.IsBusy(err) {
		// A lock not granted in time is load, not a fault: come back later.
		h.cfg.Logger.Warn("request refused: database busy", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "database busy, retry later")
		return
	}
	h.cfg.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "internal error")
}

func bearer(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if len(v) < 7 || !strings.EqualFold(v[:7], "bearer ") {
		return ""
	}
	return strings.TrimSpace(v[7:])
}

// healthz answers 200 while the database answers, so a load balancer
// takes a replica that lost its database out of rotation.
func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := h.cfg.Store.Ping(ctx); err != nil {
		h.cfg.Logger.Warn("health check: the database does not answer", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *Handler) enroll(w http.ResponseWriter, r *http.Request) {
	var req wire.EnrollRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "body is not an enroll request")
		return
	}
	host := strings.TrimSpace(req.Hostname)
	if host == "" || len(host) > 255 || strings.ContainsFunc(host, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		writeError(w, http.StatusBadRequest, "hostname is empty or not printable")
		return
	}
	if h.tooManyFailures(w, r) {
		return
	}
	id, token, via, err := h.enrollQueued(w, r, req.EnrollSecret, host)
	if errors.Is(err, ingest.ErrBusy) {
		return
	}
	if errors.Is(err, store.ErrUnauthorized) {
		h.limiter.Fail(limit.Client(r))
		writeError(w, http.StatusUnauthorized, "wrong enroll secret or token (unknown, expired or used up)")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.cfg.Logger.Info("device enrolled", "device", id, "hostname", host, "via", via)
	// Each device has its own cap of users a day: a hostname enrolled
	// again and again multiplies it. Say so where IT looks.
	if n, err := h.cfg.Store.SameHostname(r.Context(), host); err == nil && n > 1 {
		h.cfg.Logger.Warn("hostname enrolled again: its devices' user caps add up; revoke the ones no longer in use (collector revoke --device)",
			"hostname", host, "active_devices", n, "device", id, "via", via)
	}
	writeJSON(w, http.StatusOK, wire.EnrollResponse{DeviceID: id, DeviceToken: token})
}

// deviceHandler serves a request of an enrolled device.
type deviceHandler func(w http.ResponseWriter, r *http.Request, device string)

// device is the one authentication of device routes: 401 for no, an
// unknown or a revoked device token.
func (h *Handler) device(next deviceHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := bearer(r)
		if token == "" {
			writeError(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		id, err := h.cfg.Store.Device(r.Context(), token)
		if errors.Is(err, store.ErrUnauthorized) {
			writeError(w, http.StatusUnauthorized, "unknown or revoked device token")
			return
		}
		if err != nil {
			h.internal(w, r, err)
			return
		}
		next(w, r, id)
	}
}

var errTooLarge = errors.New("body too large")

// readBody reads the whole (inflated) body, refusing more than limit bytes
// whether they arrive plain or as a gzip bomb.
func readBody(r *http.Request, w http.ResponseWriter, limit int64) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, limit)
	var src io.Reader = body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, errTooLarge
			}
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		src = zr
	default:
		return nil, fmt.Errorf("content encoding %q is not supported", enc)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(src, limit+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), n > limit:
		return nil, errTooLarge
	case err != nil:
		return nil, fmt.Errorf("read body: %w", err)
	}
	return buf.Bytes(), nil
}

func (h *Handler) usage(w http.ResponseWriter, r *http.Request, device string) {
	noteUpload(r, device, 0)
	raw, err := readBody(r, w, h.cfg.MaxBody)
	if errors.Is(err, errTooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over the limit of %d bytes", h.cfg.MaxBody))
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var b wire.Batch
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, "body is not a usage batch: "+err.Error())
		return
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "body has data after the batch")
		return
	}
	noteUpload(r, device, len(b.Days))
	if len(b.Days) > h.cfg.MaxBatchDays {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("batch has %d days, over the limit of %d days per batch", len(b.Days), h.cfg.MaxBatchDays))
		return
	}
	now := h.cfg.Now()
	known := func(name string) bool { _, ok := h.cfg.Catalog.Lookup(name); return ok }
	if err := b.Validate(known, now); err != nil {
		body := wire.Error{Error: err.Error()}
		if de := (*wire.DayError)(nil); errors.As(err, &de) {
			body.Day = &de.Index
		}
		writeJSON(w, http.StatusBadRequest, body)
		return
	}
	for i := range b.Days {
		p, _ := h.cfg.Catalog.Lookup(b.Days[i].Product)
		b.Days[i].Product = p.Name
	}
	if !h.putDays(w, r, device, b.Days, now) {
		return
	}
	n := len(b.Days)
	writeJSON(w, http.StatusOK, wire.Accepted{Accepted: &n})
}

func (h *Handler) benchmarks(w http.ResponseWriter, r *http.Request, _ string) {
	p, ok := h.cfg.Catalog.Lookup(r.URL.Query().Get("product"))
	if !ok {
		writeError(w, http.StatusBadRequest, "product is missing or not in the catalog")
		return
	}
	to := h.cfg.Now().Format(wire.DateLayout)
	gen, err := h.cfg.Store.UsageGeneration(r.Context(), to)
	var dir string
	if err == nil {
		dir, err = h.cfg.Store.DirectoryVersion(r.Context())
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.bench.mu.Lock()
	e, ok := h.bench.kept[p.Name]
	h.bench.mu.Unlock()
	if !ok || e.to != to || e.gen != gen || e.dir != dir {
		b, err := insights.Benchmarks(r.Context(), h.cfg.Store, p.Name, to)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		e = benchEntry{to: to, dir: dir, gen: gen, b: b}
		h.bench.mu.Lock()
		if h.bench.kept == nil {
			h.bench.kept = map[string]benchEntry{}
		}
		h.bench.kept[p.Name] = e
		h.bench.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, e.b)
}
