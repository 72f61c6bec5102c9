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
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/prometheus/client_golang/prometheus"

	"teamlens/collector/internal/console"
	"teamlens/collector/internal/daily"
	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/metrics"
	"teamlens/collector/internal/oidc"
	"teamlens/collector/internal/proxy"
	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
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
	// SecureCookies marks the console's cookies Secure (and __Host-) on
	// plain HTTP, for a collector behind a TLS proxy.
	SecureCookies bool
	// MaxDeviceUsers caps the distinct users a device reports for one day
	// (0: no cap).
	MaxDeviceUsers int
	// TLSCert and TLSKey, both or neither, make the server speak HTTPS.
	TLSCert, TLSKey string
	// SMTPURL (smtp://USER@HOST:PORT or smtps://...), the file holding
	// its password and the From address send mail; without SMTPURL no
	// mail is sent (webhooks still are) and no reclaim notice goes out.
	SMTPURL, SMTPPasswordFile, MailFrom string
	// PublicURL is the console's address as users reach it, for the links
	// in mail; default from Listen.
	PublicURL string
	// NotifyInterval is how often the outbox is delivered and changes are
	// looked for; default 1 minute.
	NotifyInterval time.Duration
	// AlertSeatsPercent is the share of a subscription's seats assigned
	// that raises an alert; default 90.
	AlertSeatsPercent int
	Catalog           *catalog.Catalog
	Logger            *slog.Logger
	// Ready, if set, receives the bound address once the server listens
	// (tests listen on port 0).
	Ready func(addr string)
	// OIDC sign-in (all optional; OIDCIssuer turns it on).
	OIDCIssuer, OIDCClientID, OIDCSecretFile, OIDCRedirectURL string
	OIDCName, OIDCGroupsClaim, OIDCRoleMap                    string
	// SessionIdle and SessionMax end console sessions: after that long
	// without a request, and that long after sign-in.
	SessionIdle, SessionMax time.Duration
	// TrustedProxies (CIDRs) are the only peers whose X-Forwarded-For and
	// X-Forwarded-Proto are believed.
	TrustedProxies []string
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
	proxies, err := proxy.Parse(cfg.TrustedProxies)
	if err != nil {
		return err
	}
	sso, err := oidcClient(cfg)
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
	mailer, err := newMailer(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	svc := teams.New(teams.Config{Store: st, Catalog: cfg.Catalog, Logger: cfg.Logger, InsightsHour: cfg.InsightsHour})
	ui, err := console.New(console.Config{Teams: svc, Store: st, Logger: cfg.Logger, Secure: cfg.SecureCookies,
		OIDC: sso, SessionIdle: cfg.SessionIdle, SessionTTL: cfg.SessionMax})
	if err != nil {
		return err
	}
	m := metrics.New(prometheus.NewRegistry(), st.Size)
	h := server.New(server.Config{Store: st, EnrollSecret: cfg.EnrollSecret, Catalog: cfg.Catalog, MaxBody: cfg.MaxBody, Logger: cfg.Logger,
		Teams: svc, Console: ui, Metrics: m})
	srv := &http.Server{Handler: proxies.Handler(h), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute,
		TLSConfig: tlsConfig}

	jobCtx, stopJob := context.WithCancel(ctx)
	jobDone := make(chan struct{})
	go func() {
		defer close(jobDone)
		(&daily.Job{Store: st, Catalog: cfg.Catalog, Hour: cfg.InsightsHour, Logger: cfg.Logger, Observe: m.ObserveInsightJob}).Run(jobCtx)
	}()
	notifyDone := make(chan struct{})
	go func() {
		defer close(notifyDone)
		notifyRunner(cfg, st, svc, mailer, ln.Addr().String(), tlsConfig != nil).Run(jobCtx)
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
	<-notifyDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// oidcClient is the OIDC client of cfg's --oidc-* flags, or nil without
// --oidc-issuer.
func oidcClient(cfg ServeConfig) (*oidc.Client, error) {
	if cfg.OIDCIssuer == "" {
		if cfg.OIDCClientID != "" || cfg.OIDCSecretFile != "" || cfg.OIDCRoleMap != "" {
			return nil, errors.New("--oidc-client-id, --oidc-client-secret-file and --oidc-role-map need --oidc-issuer")
		}
		return nil, nil
	}
	if cfg.OIDCSecretFile == "" {
		return nil, errors.New("--oidc-issuer needs --oidc-client-secret-file")
	}
	secret, err := oidc.ReadSecret(cfg.OIDCSecretFile)
	if err != nil {
		return nil, err
	}
	return oidc.New(oidc.Config{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: secret, RedirectURL: cfg.OIDCRedirectURL,
		Name: cfg.OIDCName, GroupsClaim: cfg.OIDCGroupsClaim, RoleMap: cfg.OIDCRoleMap})
}

// Import loads one license CSV file into the database, all or nothing.
// With replace the file becomes the whole truth for its kind: rows absent
// from it are removed (with the assignments of a removed user or
// subscription), and a summary says what was added, changed and removed.
func Import(ctx context.Context, db, kind, path string, replace bool, cat *catalog.Catalog, out io.Writer) error {
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
	if !replace {
		if err := st.Import(ctx, parsed); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(out, "imported %d %s\n", parsed.Len(), kind)
		return nil
	}
	sum, err := st.ImportReplace(ctx, parsed)
	if err != nil {
		return fmt.Errorf("%s: nothing changed: %w", path, err)
	}
	fmt.Fprintf(out, "replaced %s: %s\n", kind, sum)
	return nil
}

// AdminConfig is one `collector admin` command: grant a role and print a
// new token (the default), list admins and tokens, or revoke tokens.
type AdminConfig struct {
	DB       string
	Grant    store.Grant
	Expires  string // "", a duration such as 90d or 12h, or a date YYYY-MM-DD
	List     bool
	Revoke   string // an email (every token of it) or a token id
	ReadOnly bool   // the new token changes nothing
	Now      func() time.Time
}

// Admin runs an admin command.
func Admin(ctx context.Context, cfg AdminConfig, out io.Writer) error {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	now := cfg.Now()
	expires, err := ParseExpires(cfg.Expires, now)
	if err != nil {
		return err
	}
	if !cfg.List && cfg.Revoke == "" && (cfg.Grant.Team == "" || cfg.Grant.Email == "" || cfg.Grant.Role == "") {
		return errors.New("admin needs --team, --email and --role (or --list, or --revoke)")
	}
	if cfg.Grant.Email != "" {
		if err := license.CheckEmail(cfg.Grant.Email); err != nil {
			return fmt.Errorf("--email: %w", err)
		}
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case cfg.List:
		return listAdmins(ctx, st, now, out)
	case cfg.Revoke != "":
		n, err := st.RevokeTokens(ctx, cfg.Revoke, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "revoked %d token(s) of %s\n", n, cfg.Revoke)
		return nil
	}
	token, err := st.CreateAdmin(ctx, cfg.Grant, expires, now)
	if err == nil && cfg.ReadOnly {
		err = st.MakeReadOnly(ctx, token)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(out, token)
	return nil
}

// ParseExpires reads --expires: a number of days ("90d"), a Go duration
// ("12h") or a day ("2027-01-31", expiring at its start in UTC).
func ParseExpires(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	var t time.Time
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(d)
		if err == nil && n > 0 {
			t = now.AddDate(0, 0, n)
		}
	} else if dur, err := time.ParseDuration(v); err == nil && dur > 0 {
		t = now.Add(dur)
	} else if day, err := time.Parse(license.DateLayout, v); err == nil {
		t = day
	}
	if t.IsZero() {
		return t, fmt.Errorf("--expires %q is not a number of days (90d), a duration (12h) or a date YYYY-MM-DD", v)
	}
	if !t.After(now) {
		return t, fmt.Errorf("--expires %q is in the past", v)
	}
	return t, nil
}

func listAdmins(ctx context.Context, st *store.Store, now time.Time, out io.Writer) error {
	grants, err := st.Grants(ctx, "")
	if err != nil {
		return err
	}
	tokens, err := st.Tokens(ctx, nil)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLES")
	fmt.Fprintln(tw, "EMAIL\tTEAM\tROLE\tCAN PURCHASE")
	for _, g := range grants {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", g.Email, g.Team, g.Role, g.CanPurchase)
	}
	fmt.Fprintln(tw, "\nTOKENS")
	fmt.Fprintln(tw, "ID\tEMAIL\tCREATED\tEXPIRES\tLAST USED\tSCOPE\tSTATE")
	for _, t := range tokens {
		state := "active"
		switch {
		case t.RevokedAt != "":
			state = "revoked " + t.RevokedAt
		case !t.Active(now):
			state = "expired"
		}
		scope := "full"
		if t.ReadOnly {
			scope = "read-only"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Email, t.CreatedAt, orDash(t.ExpiresAt), orDash(t.LastUsedAt), scope, state)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
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
		fmt.Fprintf(out, "deleted %d usage days, %d device-login rows; snapshots already computed keep their figures until recomputed (collector insights --as-of)\n",
			del.Days, del.Logins)
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
		fmt.Fprintf(out, "%s\t%s\t%d insights\t%d unavailable\n", s.Team, s.AsOf, s.Insights.Len(), len(s.Unavailable))
	}
	return nil
}
