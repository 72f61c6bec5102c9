// Package cli implements the collector's subcommands; collector/main.go only
// parses flags into these configs.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/BurntSushi/toml"

	"teamlens/collector/internal/daily"
	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store"
	"teamlens/shared/catalog"
)

// LoadCatalog returns the built-in catalog plus the [[product]] entries of
// a TOML file, if path is not empty.
func LoadCatalog(path string) (*catalog.Catalog, error) {
	cat := catalog.Builtin()
	if path == "" {
		return cat, nil
	}
	var f struct {
		Products []catalog.Product `toml:"product"`
	}
	if _, err := toml.DecodeFile(path, &f); err != nil {
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	for _, p := range f.Products {
		if p.Name == "" {
			return nil, fmt.Errorf("catalog %s: a product has no name", path)
		}
	}
	return cat.With(f.Products), nil
}

// ServeConfig configures `collector serve`.
type ServeConfig struct {
	DB           string
	Listen       string
	EnrollSecret string
	MaxBody      int64
	InsightsHour int
	Catalog      *catalog.Catalog
	Logger       *slog.Logger
	// Ready, if set, receives the bound address once the server listens
	// (tests listen on port 0).
	Ready func(addr string)
	// ShutdownTimeout bounds how long in-flight requests may take after a
	// signal; default 30s.
	ShutdownTimeout time.Duration
}

// Serve runs the HTTP server and the daily insight job until ctx ends, then
// lets in-flight requests finish.
func Serve(ctx context.Context, cfg ServeConfig) error {
	if cfg.EnrollSecret == "" {
		return errors.New("--enroll-secret is required")
	}
	if cfg.InsightsHour < 0 || cfg.InsightsHour > 23 {
		return fmt.Errorf("--insights-hour %d is not 0..23", cfg.InsightsHour)
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	h := server.New(server.Config{Store: st, EnrollSecret: cfg.EnrollSecret, Catalog: cfg.Catalog, MaxBody: cfg.MaxBody, Logger: cfg.Logger})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}

	jobCtx, stopJob := context.WithCancel(ctx)
	jobDone := make(chan struct{})
	go func() {
		defer close(jobDone)
		(&daily.Job{Store: st, Catalog: cfg.Catalog, Hour: cfg.InsightsHour, Logger: cfg.Logger}).Run(jobCtx)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	cfg.Logger.Info("collector listening", "addr", ln.Addr().String(), "postgres", st.Postgres())
	if cfg.Ready != nil {
		cfg.Ready(ln.Addr().String())
	}

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		cfg.Logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		err = srv.Shutdown(sctx)
		cancel()
	}
	stopJob()
	<-jobDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Import loads one license CSV file into the database, all or nothing.
func Import(ctx context.Context, db, kind, path string, cat *catalog.Catalog, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	parsed, err := license.Parse(kind, f, cat)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Import(ctx, parsed); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(out, "imported %d %s\n", parsed.Len(), kind)
	return nil
}

// Admin creates an admin token and prints it.
func Admin(ctx context.Context, db string, a store.Admin, out io.Writer) error {
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	token, err := st.CreateAdmin(ctx, a, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(out, token)
	return nil
}

// Revoke revokes a device's token.
func Revoke(ctx context.Context, db, device string) error {
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Revoke(ctx, device, time.Now())
}

// Insights computes and stores the snapshots of every team for asOf.
func Insights(ctx context.Context, db, asOf string, cat *catalog.Catalog, out io.Writer) error {
	if _, err := insights.WindowStart(asOf); err != nil {
		return err
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	snaps, err := insights.Run(ctx, st, cat, asOf, time.Now())
	if err != nil {
		return err
	}
	for _, s := range snaps {
		fmt.Fprintf(out, "%s\t%s\t%d insights\t%d unavailable\n", s.Team, s.AsOf, s.Insights.Len(), len(s.Unavailable))
	}
	return nil
}
