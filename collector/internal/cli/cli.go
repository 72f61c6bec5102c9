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
	"github.com/prometheus/client_golang/prometheus"

	"teamlens/collector/internal/daily"
	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/metrics"
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
	// MaxDeviceUsers caps the distinct users a device reports for one day
	// (0: no cap).
	MaxDeviceUsers int
	// TLSCert and TLSKey, both or neither, make the server speak HTTPS.
	TLSCert, TLSKey string
	Catalog         *catalog.Catalog
	Logger          *slog.Logger
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
	if cfg.InsightsHour < 0 || cfg.InsightsHour > 23 {
		return fmt.Errorf("--insights-hour %d is not 0..23", cfg.InsightsHour)
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	tlsConfig, err := loadTLS(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetMaxDeviceUsers(cfg.MaxDeviceUsers)
	if cfg.EnrollSecret == "" {
		cfg.Logger.Info("no enroll secret: devices enroll only with tokens from collector enroll-token")
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	m := metrics.New(prometheus.NewRegistry(), st.Size)
	h := server.New(server.Config{Store: st, EnrollSecret: cfg.EnrollSecret, Catalog: cfg.Catalog, MaxBody: cfg.MaxBody, Logger: cfg.Logger,
		Metrics: m})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute,
		TLSConfig: tlsConfig}

	jobCtx, stopJob := context.WithCancel(ctx)
	jobDone := make(chan struct{})
	go func() {
		defer close(jobDone)
		(&daily.Job{Store: st, Catalog: cfg.Catalog, Hour: cfg.InsightsHour, Logger: cfg.Logger, Observe: m.ObserveInsightJob}).Run(jobCtx)
	}()
	serveErr := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			serveErr <- srv.ServeTLS(ln, "", "")
			return
		}
		serveErr <- srv.Serve(ln)
	}()
	cfg.Logger.Info("collector listening", "addr", ln.Addr().String(), "tls", tlsConfig != nil, "postgres", st.Postgres())
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

// Revoke revokes a device's token and, with deleteData, removes what the
// device sent; it prints what it did.
func Revoke(ctx context.Context, db, device string, deleteData bool, out io.Writer) error {
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	del, err := st.RevokeDevice(ctx, device, deleteData, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "device %s revoked\n", device)
	if deleteData {
		fmt.Fprintf(out, "deleted %d usage days, %d command rows, %d device-login rows; snapshots already computed keep their figures until recomputed (collector insights --as-of)\n",
			del.Days, del.Commands, del.Logins)
	}
	return nil
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
		fmt.Fprintf(out, "%s\t%s\t%d insights\t%d unavailable\n", s.Team, s.AsOf, len(s.Insights), len(s.Unavailable))
	}
	return nil
}
