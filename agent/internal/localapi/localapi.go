package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"teamlens/agent/internal/peercred"
	"teamlens/agent/internal/store"
	"teamlens/shared/catalog"
	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

// Config is what the server needs. Store and Catalog are required; the
// other fields are optional seams whose zero value is production.
type Config struct {
	Store   Store
	Catalog *catalog.Catalog
	Log     *slog.Logger
	// Now is the clock that places "today"; nil is time.Now.
	Now func() time.Time
	// LookupUID turns a peer's uid (on Windows its SID) into its login;
	// nil is os/user (on Windows the account lookup, DOMAIN\user).
	LookupUID func(uid string) (string, error)
}

// Server serves the local API.
type Server struct {
	cfg Config
}

// New returns a server.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LookupUID == nil {
		cfg.LookupUID = lookupUID
	}
	if cfg.Catalog == nil {
		cfg.Catalog = catalog.Builtin()
	}
	return &Server{cfg: cfg}
}

// benchmarksKey is the store meta key under which the uploader caches the
// collector's benchmarks.
const benchmarksKey = "benchmarks"

// Handler is the route table. Every route but health needs a caller
// identified by ConnContext.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("GET /v1/me", s.user(s.me))
	mux.HandleFunc("GET /v1/status", s.user(s.status))
	mux.HandleFunc("PUT /v1/consent", s.user(s.setConsent))
	mux.HandleFunc("GET /v1/days", s.user(s.days))
	mux.HandleFunc("GET /v1/export", s.user(s.export))
	mux.HandleFunc("GET /v1/events", s.user(s.events))
	mux.HandleFunc("DELETE /v1/data", s.user(s.forget))
	mux.HandleFunc("GET /v1/insights/overview", s.user(s.overview))
	mux.HandleFunc("GET /v1/insights/commands", s.user(s.commands))
	mux.HandleFunc("GET /v1/insights/performance", s.user(s.performance))
	mux.HandleFunc("GET /v1/insights/drawings", s.user(s.drawings))
	mux.HandleFunc("GET /v1/benchmarks", s.user(s.benchmarks))
	return mux
}

// Serve listens on the Unix socket at path (on Windows, the named pipe)
// until ctx ends. The socket is open to every local user: the peer
// credentials, not the file mode, decide what a caller may see.
func (s *Server) Serve(ctx context.Context, path string) error {
	ln, err := listen(path)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ConnContext:       ConnContext,
	}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type credKey struct{}

type credResult struct {
	cred peercred.Cred
	err  error
}

// ConnContext reads the peer credentials of a new connection once, for
// every request on it; set it as http.Server.ConnContext wherever Handler
// is served.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	cred, err := peercred.Get(c)
	return context.WithValue(ctx, credKey{}, credResult{cred, err})
}

// user wraps a handler that needs the caller's login.
func (s *Server) user(h func(w http.ResponseWriter, r *http.Request, login string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		res, ok := r.Context().Value(credKey{}).(credResult)
		if !ok {
			writeError(w, http.StatusForbidden, "the caller's identity is unknown: connect through the agent's unix socket")
			return
		}
		if res.err != nil {
			s.cfg.Log.Warn("local API: peer credentials", "err", res.err)
			writeError(w, http.StatusForbidden, "the caller's identity cannot be read")
			return
		}
		login, err := s.cfg.LookupUID(res.cred.UID)
		if err != nil || login == "" {
			s.cfg.Log.Warn("local API: unknown uid", "uid", res.cred.UID, "err", err)
			writeError(w, http.StatusForbidden, "the caller's user account is unknown")
			return
		}
		h(w, r, login)
	}
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, login string) {
	ctx := r.Context()
	on, err := s.cfg.Store.Consent(ctx, login)
	if err != nil {
		s.fail(w, "consent", err)
		return
	}
	pol, err := s.cfg.Store.Policy(ctx)
	if err != nil {
		s.fail(w, "policy", err)
		return
	}
	me := localclient.Me{
		User:    login,
		Consent: on,
		Policy:  pol,
	}
	for _, p := range s.cfg.Catalog.Products() {
		me.Products = append(me.Products, localclient.Product{Name: p.Name, Insights: p.Insights})
	}
	writeJSON(w, http.StatusOK, me)
}

func (s *Server) setConsent(w http.ResponseWriter, r *http.Request, login string) {
	var req struct {
		On       *bool `json:"on"`
		Withdraw bool  `json:"withdraw"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.On == nil || (*req.On && req.Withdraw) {
		writeError(w, http.StatusBadRequest, `body must be {"on":true}, {"on":false} or {"on":false,"withdraw":true}`)
		return
	}
	var err error
	if req.Withdraw {
		err = s.cfg.Store.WithdrawConsent(r.Context(), login)
	} else {
		err = s.cfg.Store.SetConsent(r.Context(), login, *req.On)
	}
	if errors.Is(err, store.ErrAnalyticsDisabled) {
		writeError(w, http.StatusForbidden, err.Error())
		return
	}
	if err != nil {
		s.fail(w, "set consent", err)
		return
	}
	s.cfg.Log.Info("consent changed through the local API", "user", login, "on", *req.On, "withdraw", req.Withdraw)
	on, err := s.cfg.Store.Consent(r.Context(), login)
	if err != nil {
		s.fail(w, "consent", err)
		return
	}
	writeJSON(w, http.StatusOK, localclient.ConsentResponse{Consent: on})
}

func (s *Server) days(w http.ResponseWriter, r *http.Request, login string) {
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	for _, d := range []string{from, to} {
		if _, err := time.Parse(wire.DateLayout, d); d != "" && err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("date %q is not YYYY-MM-DD", d))
			return
		}
	}
	days, err := s.cfg.Store.Days(r.Context(), login, from, to)
	if err != nil {
		s.fail(w, "days", err)
		return
	}
	writeJSON(w, http.StatusOK, days)
}

func (s *Server) export(w http.ResponseWriter, r *http.Request, login string) {
	e, err := s.cfg.Store.Export(r.Context(), login)
	if err != nil {
		s.fail(w, "export", err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) events(w http.ResponseWriter, r *http.Request, login string) {
	limit := 200
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, http.StatusBadRequest, "limit must be 1 to 10000")
			return
		}
		limit = n
	}
	evs, total, err := s.cfg.Store.RecentEvents(r.Context(), login, limit)
	if err != nil {
		s.fail(w, "events", err)
		return
	}
	writeJSON(w, http.StatusOK, localclient.Events{Total: total, Events: evs})
}

func (s *Server) forget(w http.ResponseWriter, r *http.Request, login string) {
	if err := s.cfg.Store.Forget(r.Context(), login); err != nil {
		s.fail(w, "forget", err)
		return
	}
	s.cfg.Log.Info("user data deleted through the local API", "user", login)
	writeJSON(w, http.StatusOK, map[string]bool{"deleted": true})
}

func (s *Server) fail(w http.ResponseWriter, what string, err error) {
	s.cfg.Log.Error("local API", "op", what, "err", err)
	writeError(w, http.StatusInternalServerError, what+" failed")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
