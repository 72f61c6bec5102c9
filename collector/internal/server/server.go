// Package server is the collector's HTTP API: device enrollment, usage
// upload, admin reads of insight snapshots and CSV exports, benchmarks.
package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"teamlens/collector/internal/ingest"
	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
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
	Ingest       *ingest.Queue    // default ingest.New with its defaults
	MaxBatchDays int              // default DefaultMaxBatchDays
}

// Handler serves the collector API.
type Handler struct {
	cfg Config
	mux *http.ServeMux
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
	if cfg.Ingest == nil {
		cfg.Ingest = ingest.New(ingest.Config{})
	}
	if cfg.MaxBatchDays <= 0 {
		cfg.MaxBatchDays = DefaultMaxBatchDays
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /healthz", h.healthz)
	h.mux.HandleFunc("POST /v1/enroll", h.enroll)
	h.mux.HandleFunc("POST /v1/usage", h.usage)
	h.mux.HandleFunc("GET /v1/benchmarks", h.benchmarks)
	h.mux.HandleFunc("GET /v1/teams/{team}", h.team)
	h.mux.HandleFunc("GET /v1/teams/{team}/insights", h.insights)
	h.mux.HandleFunc("GET /v1/teams/{team}/insights.csv", h.insightsCSV)
	h.mux.HandleFunc("GET /v1/teams/{team}/usage.csv", h.usageCSV)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type errorBody struct {
	Error string `json:"error"`
	Day   *int   `json:"day,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="teamlens"`)
	}
	writeJSON(w, status, errorBody{Error: msg})
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

func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *Handler) enroll(w http.ResponseWriter, r *http.Request) {
	var req struct {
		EnrollSecret string `json:"enroll_secret"`
		Hostname     string `json:"hostname"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "body is not an enroll request")
		return
	}
	if h.cfg.EnrollSecret == "" || subtle.ConstantTimeCompare([]byte(req.EnrollSecret), []byte(h.cfg.EnrollSecret)) != 1 {
		writeError(w, http.StatusUnauthorized, "wrong enroll secret")
		return
	}
	host := strings.TrimSpace(req.Hostname)
	if host == "" || len(host) > 255 || strings.ContainsFunc(host, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		writeError(w, http.StatusBadRequest, "hostname is empty or not printable")
		return
	}
	id, token, err := h.cfg.Store.Enroll(r.Context(), host, h.cfg.Now())
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.cfg.Logger.Info("device enrolled", "device", id, "hostname", host)
	writeJSON(w, http.StatusOK, map[string]string{"device_id": id, "device_token": token})
}

// device authenticates a device token, answering 401 itself when it fails.
func (h *Handler) device(w http.ResponseWriter, r *http.Request) (string, bool) {
	token := bearer(r)
	if token == "" {
		writeError(w, http.StatusUnauthorized, "missing bearer token")
		return "", false
	}
	id, err := h.cfg.Store.Device(r.Context(), token)
	if errors.Is(err, store.ErrUnauthorized) {
		writeError(w, http.StatusUnauthorized, "unknown or revoked device token")
		return "", false
	}
	if err != nil {
		h.internal(w, r, err)
		return "", false
	}
	return id, true
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

func (h *Handler) usage(w http.ResponseWriter, r *http.Request) {
	device, ok := h.device(w, r)
	if !ok {
		return
	}
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
	if len(b.Days) > h.cfg.MaxBatchDays {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("batch has %d days, over the limit of %d days per batch", len(b.Days), h.cfg.MaxBatchDays))
		return
	}
	now := h.cfg.Now()
	known := func(name string) bool { _, ok := h.cfg.Catalog.Lookup(name); return ok }
	if err := b.Validate(known, now); err != nil {
		body := errorBody{Error: err.Error()}
		if i := faultyDay(&b, known, now); i >= 0 {
			body.Day = &i
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
	writeJSON(w, http.StatusOK, map[string]int{"accepted": len(b.Days)})
}

// faultyDay finds the index of the first day Batch.Validate refused, so the
// agent can quarantine that day and send the rest; -1 when the batch as a
// whole is at fault.
func faultyDay(b *wire.Batch, known func(string) bool, now time.Time) int {
	if b.Schema != wire.Schema || b.Days == nil {
		return -1
	}
	seen := map[wire.Key]bool{}
	for i := range b.Days {
		if b.Days[i].Validate(known, now) != nil || seen[b.Days[i].Key()] {
			return i
		}
		seen[b.Days[i].Key()] = true
	}
	return -1
}

func (h *Handler) benchmarks(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.device(w, r); !ok {
		return
	}
	p, ok := h.cfg.Catalog.Lookup(r.URL.Query().Get("product"))
	if !ok {
		writeError(w, http.StatusBadRequest, "product is missing or not in the catalog")
		return
	}
	to := h.cfg.Now().Format(wire.DateLayout)
	from, _ := insights.WindowStart(to)
	stats, err := h.cfg.Store.LoginStats(r.Context(), p.Name, from, to)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	var startup, save []float64
	for _, s := range stats {
		if s.StartupN > 0 {
			startup = append(startup, float64(s.StartupSum)/float64(s.StartupN))
		}
		if s.SaveN > 0 {
			save = append(save, float64(s.SaveSum)/float64(s.SaveN))
		}
	}
	writeJSON(w, http.StatusOK, wire.Benchmarks{Product: p.Name, From: from, To: to, Startup: quartiles(startup), Save: quartiles(save)})
}

func quartiles(means []float64) *wire.Quartiles {
	if len(means) < wire.MinBenchmarkUsers {
		return nil
	}
	sort.Float64s(means)
	return &wire.Quartiles{Users: len(means),
		P25: insights.Percentile(means, 0.25), P50: insights.Percentile(means, 0.5), P75: insights.Percentile(means, 0.75)}
}

// admin authenticates an admin token for the team of the path: 401 for no
// or an unknown token, 403 for a token of another team or of role user.
func (h *Handler) admin(w http.ResponseWriter, r *http.Request) (store.Admin, bool) {
	token := bearer(r)
	if token == "" {
		writeError(w, http.StatusUnauthorized, "missing bearer token")
		return store.Admin{}, false
	}
	a, err := h.cfg.Store.AdminByToken(r.Context(), token)
	if errors.Is(err, store.ErrUnauthorized) {
		writeError(w, http.StatusUnauthorized, "unknown admin token")
		return store.Admin{}, false
	}
	if err != nil {
		h.internal(w, r, err)
		return store.Admin{}, false
	}
	if a.Team != r.PathValue("team") {
		writeError(w, http.StatusForbidden, "token is for another team")
		return store.Admin{}, false
	}
	if a.Role == store.RoleUser {
		writeError(w, http.StatusForbidden, "role user may not read team insights")
		return store.Admin{}, false
	}
	return a, true
}

// snapshot reads the stored snapshot the request asks for, filtered for the
// admin; it answers errors itself.
func (h *Handler) snapshot(w http.ResponseWriter, r *http.Request, a store.Admin) (*stored, bool) {
	asOf := r.URL.Query().Get("as_of")
	if asOf != "" {
		if _, err := time.Parse(license.DateLayout, asOf); err != nil {
			writeError(w, http.StatusBadRequest, "as_of is not YYYY-MM-DD")
			return nil, false
		}
	}
	body, err := h.cfg.Store.Snapshot(r.Context(), a.Team, asOf)
	if errors.Is(err, store.ErrNotFound) {
		// Nothing computed yet for that day (or at all): compute it now, as
		// `collector insights` would, and keep it as the day's snapshot.
		body, err = h.computeSnapshot(r.Context(), a.Team, asOf)
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no insights for this team and day")
		return nil, false
	}
	if err != nil {
		h.internal(w, r, err)
		return nil, false
	}
	var s stored
	if err := json.Unmarshal(body, &s); err != nil {
		h.internal(w, r, fmt.Errorf("snapshot of %s: %w", a.Team, err))
		return nil, false
	}
	if !a.CanPurchase {
		// over_assignment is about buying seats: only for those who can.
		kept := s.Insights[:0]
		for _, raw := range s.Insights {
			var k struct{ Kind string }
			json.Unmarshal(raw, &k)
			if k.Kind != insights.KindOverAssignment {
				kept = append(kept, raw)
			}
		}
		s.Insights = kept
	}
	return &s, true
}

// computeSnapshot computes every team's snapshot of asOf (today when
// empty) unless another request or replica just did, and returns team's.
// A day after tomorrow has no insights yet.
func (h *Handler) computeSnapshot(ctx context.Context, team, asOf string) ([]byte, error) {
	now := h.cfg.Now()
	if asOf == "" {
		asOf = now.Format(license.DateLayout)
	}
	if asOf > now.AddDate(0, 0, 1).Format(license.DateLayout) {
		return nil, store.ErrNotFound
	}
	err := h.cfg.Store.WithLock(ctx, store.InsightsLockKey, func(ctx context.Context) error {
		if _, err := h.cfg.Store.Snapshot(ctx, team, asOf); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		_, err := insights.Run(ctx, h.cfg.Store, h.cfg.Catalog, asOf, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return h.cfg.Store.Snapshot(ctx, team, asOf)
}

// stored is a snapshot read back with its insights left as JSON.
type stored struct {
	Team        string                 `json:"team"`
	AsOf        string                 `json:"as_of"`
	GeneratedAt string                 `json:"generated_at"`
	Insights    []json.RawMessage      `json:"insights"`
	Unavailable []insights.Unavailable `json:"unavailable"`
}

func (h *Handler) insights(w http.ResponseWriter, r *http.Request) {
	a, ok := h.admin(w, r)
	if !ok {
		return
	}
	s, ok := h.snapshot(w, r, a)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s)
}
