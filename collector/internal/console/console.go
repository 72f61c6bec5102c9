package console

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"teamlens/collector/internal/limit"
	"teamlens/collector/internal/oidc"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
)

//go:embed templates/*.html
var templateFS embed.FS

// Config configures the console; zero optional fields are production.
type Config struct {
	Teams  *teams.Service
	Store  *store.Store
	Logger *slog.Logger     // default discards
	Now    func() time.Time // default time.Now
	// SessionTTL is how long a sign-in lasts at most; default 8h.
	SessionTTL time.Duration
	// SessionIdle ends a session that saw no request for that long;
	// default 30m.
	SessionIdle time.Duration
	// OIDC, if set, adds "Sign in with ..." (the company's identity
	// provider) to /signin.
	OIDC *oidc.Client
	// RoleRecheck is how often an OIDC session's groups are re-validated
	// with the provider; default (and at most) 15m.
	RoleRecheck time.Duration
	// SignInFailures failed sign-ins from one address within
	// SignInWindow make it wait for the window to pass; defaults 5 and 5m.
	SignInFailures int
	SignInWindow   time.Duration
	// Secure marks cookies Secure even on plain HTTP (behind a TLS proxy);
	// under TLS they always are.
	Secure bool
	// MaxPerClient is how many requests one client address may have in
	// progress at once; more get 429. Default 8.
	MaxPerClient int
}

// Handler serves the console.
type Handler struct {
	cfg     Config
	mux     *http.ServeMux
	pages   map[string]*template.Template
	limiter *limit.Limiter
	starts  *limit.Limiter // sign-ins with the provider started per client: each keeps a row for a while
	busy    *inflight
	pruned  atomic.Int64 // unix seconds of the last pruning of ended sessions
	// rechecks serialize the re-checks of one session (striped by its id).
	rechecks [recheckStripes]sync.Mutex
	key      []byte // signs the sign-in form's tokens; shared by replicas through the database
}

// New returns the console handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 30 * time.Minute
	}
	if cfg.RoleRecheck <= 0 || cfg.RoleRecheck > 15*time.Minute {
		cfg.RoleRecheck = 15 * time.Minute
	}
	if cfg.SignInFailures <= 0 {
		cfg.SignInFailures = 5
	}
	if cfg.MaxPerClient <= 0 {
		cfg.MaxPerClient = 8
	}
	if cfg.SignInWindow <= 0 {
		cfg.SignInWindow = 5 * time.Minute
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	key, err := signInKey(cfg.Store)
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), pages: pages, key: key,
		limiter: limit.New(cfg.SignInFailures, cfg.SignInWindow, cfg.Now),
		starts:  limit.New(MaxOIDCStarts, oidcFlowTTL, cfg.Now),
		busy:    &inflight{max: cfg.MaxPerClient, n: map[string]int{}}}
	h.routes()
	return h, nil
}

// signInKey returns the key that signs sign-in tokens, made on the first
// start and kept in the database.
func signInKey(st *store.Store) ([]byte, error) {
	fresh, _, err := store.NewToken()
	if err != nil {
		return nil, err
	}
	v, err := st.InitState(context.Background(), "console_signin_key", fresh)
	if err != nil {
		return nil, fmt.Errorf("console sign-in key: %w", err)
	}
	return []byte(v), nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Pages show license data: never cached, never framed.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("Referrer-Policy", "same-origin")
	if h.secure(r) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
	}
	ip := limit.Client(r)
	if !h.busy.acquire(ip) {
		w.Header().Set("Retry-After", "1")
		h.errorPage(w, r, http.StatusTooManyRequests, "Too many requests from your address at once. Try again in a moment.")
		return
	}
	defer h.busy.release(ip)
	if !h.formGuard(w, r) {
		return
	}
	h.mux.ServeHTTP(w, r)
}
