package cli

// The command table of `collector`: its subcommands, their flags and help.

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"teamlens/collector/internal/proxy"
	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store"
	"teamlens/internal/cmdline"
	"teamlens/shared/collectorconf"
)

// command is one subcommand: its help and flags, and what it runs.
type command struct {
	*cmdline.Command
	db      *string
	catalog *string
	create  bool // may create the database; the others refuse a missing one
	run     func(ctx context.Context, env env) error
}

// env is what every subcommand gets once its flags are parsed.
type env struct {
	Env
	args []string
}

// Main runs the collector's command line and returns the process's exit
// code.
func Main(args []string) int {
	cmds := commands()
	prog := &cmdline.Program{Name: "collector",
		Summary: "collector is the Teamlens server: it receives the agents' daily usage summaries, holds the license picture (teams, users, subscriptions, seats, admins) and computes the Team Insights, served as JSON, CSV and a console."}
	for _, c := range cmds {
		prog.Commands = append(prog.Commands, c.Command)
	}
	chosen, rest, err := prog.Select(args, os.Stdout)
	if err != nil {
		return fail(err)
	}
	var c *command
	for _, cc := range cmds {
		if cc.Command == chosen {
			c = cc
		}
	}
	pos, err := c.Parse(rest, os.Stdout)
	if err != nil {
		return fail(err)
	}
	if err := PrepareDB(*c.db, c.create); err != nil {
		return fail(err)
	}
	cat, err := LoadCatalog(*c.catalog)
	if err != nil {
		return fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := env{Env: Env{DB: *c.db, Catalog: cat, Out: os.Stdout, Info: os.Stderr,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}, args: pos}
	return fail(c.run(ctx, e))
}

func fail(err error) int {
	if code := cmdline.ExitCode(err); code != 1 {
		if code == 2 {
			fmt.Fprintln(os.Stderr, err)
		}
		return code
	}
	fmt.Fprintln(os.Stderr, "collector:", err)
	return 1
}

// newCommand starts a subcommand with the flags every one of them has.
func newCommand(name, summary, example string, create bool) *command {
	fs := flag.NewFlagSet("collector "+name, flag.ContinueOnError)
	c := &command{Command: &cmdline.Command{Name: "collector " + name, Summary: summary, Example: example, Flags: fs}, create: create}
	c.db = fs.String("db", DefaultDB(), "SQLite `file` or postgres:// URL, the same for every command")
	c.catalog = fs.String("catalog", "", "TOML `file` of extra [[product]] entries for the built-in catalog")
	return c
}

func commands() []*command {
	return []*command{serveCommand(), importCommand(), adminCommand(), insightsCommand(), revokeCommand(), enrollTokenCommand()}
}

func serveCommand() *command {
	c := newCommand("serve", "Runs the HTTP API, the Team Insights console at /, /metrics and the daily insight job until interrupted. Without --enroll-secret, devices enroll only with tokens from 'collector enroll-token'.",
		"collector serve --db "+collectorconf.ServiceDB+" --listen :8443 \\\n    --tls-cert cert.pem --tls-key key.pem --enroll-secret S", true)
	var cfg ServeConfig
	fs := c.Flags
	notifyFlags(fs, &cfg)
	fs.StringVar(&cfg.Listen, "listen", collectorconf.DefaultListen, "`address` to listen on")
	fs.StringVar(&cfg.EnrollSecret, "enroll-secret", "", "shared `secret` agents enroll with (default $"+collectorconf.EnvEnrollSecret+", which keeps it out of the process list); empty: only minted enroll tokens")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", false, "mark the console's cookies Secure even on plain HTTP: for a collector behind a TLS proxy (under --tls-cert they always are)")
	fs.IntVar(&cfg.MaxDeviceUsers, "max-device-users", store.DefaultMaxDeviceUsers, "most distinct users one device may report for one day; a batch over it gets 400 (0: no cap)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate (chain) `file`: serve HTTPS (with --tls-key)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key `file` of --tls-cert")
	fs.Int64Var(&cfg.MaxBody, "max-body", server.DefaultMaxBody, "limit of an upload's inflated body in `bytes`")
	fs.IntVar(&cfg.InsightsHour, "insights-hour", 2, "local `hour` after which the day before's insights are computed")
	fs.StringVar(&cfg.OIDCIssuer, "oidc-issuer", "", "OpenID Connect issuer `URL` of the company's identity provider: adds \"Sign in with ...\" to /signin")
	fs.StringVar(&cfg.OIDCClientID, "oidc-client-id", "", "client `ID` the collector is registered with at the identity provider")
	fs.StringVar(&cfg.OIDCSecretFile, "oidc-client-secret-file", "", "`file` holding the client secret (its first line)")
	fs.StringVar(&cfg.OIDCRedirectURL, "oidc-redirect-url", "", "callback `URL` registered at the provider (default: this request's origin + /signin/oidc/callback)")
	fs.StringVar(&cfg.OIDCName, "oidc-name", "", "provider `name` on the sign-in button (default: the issuer's host)")
	fs.StringVar(&cfg.OIDCGroupsClaim, "oidc-groups-claim", "", "ID token `claim` listing the admin's groups (with --oidc-role-map)")
	fs.StringVar(&cfg.OIDCRoleMap, "oidc-role-map", "", "TOML `file` of [[group]] name, team, role, can_purchase: roles for the provider's groups, re-read at every sign-in and re-check")
	fs.DurationVar(&cfg.SessionIdle, "session-idle", 30*time.Minute, "a console session without a request for this `duration` ends")
	fs.DurationVar(&cfg.SessionMax, "session-max", 8*time.Hour, "a console session ends this `duration` after sign-in, however busy")
	fs.Func("trusted-proxy", "`CIDR` of a reverse proxy whose X-Forwarded-For and X-Forwarded-Proto are believed (repeatable); without it they are ignored", func(v string) error {
		cfg.TrustedProxies = append(cfg.TrustedProxies, v)
		_, err := proxy.Parse([]string{v})
		return err
	})
	c.run = func(ctx context.Context, e env) error {
		cfg.DB, cfg.Catalog, cfg.Logger = e.DB, e.Catalog, e.Logger
		if cfg.EnrollSecret == "" {
			cfg.EnrollSecret = os.Getenv(collectorconf.EnvEnrollSecret)
		}
		return Serve(ctx, cfg)
	}
	return c
}

func importCommand() *command {
	c := newCommand("import", "Loads a license CSV file (teams, users, subscriptions or assignments), all or nothing. With --replace the file becomes the whole truth for its kind: rows absent from it are removed, with the seats of removed users and subscriptions, and a summary is printed.",
		"collector import --db collector.db --kind users --replace users.csv", true)
	c.Args, c.NArgs, c.Required = "FILE.csv", 1, []string{"kind"}
	kind := c.Flags.String("kind", "", "what the file holds: teams, users, subscriptions or assignments")
	replace := c.Flags.Bool("replace", false, "make the file the whole truth for its kind: rows absent from it are removed")
	c.run = func(ctx context.Context, e env) error {
		return Import(ctx, e.DB, *kind, e.args[0], *replace, e.Catalog, e.Out)
	}
	return c
}

func adminCommand() *command {
	c := newCommand("admin", "Grants an email a role on a team and prints a new bearer token for it (one token serves every team of its email); --list shows admins and their tokens, --revoke ends tokens at once.",
		"collector admin --db collector.db --team acme --email it@acme.example --role primary --can-purchase --expires 90d\ncollector admin --db collector.db --list\ncollector admin --db collector.db --revoke it@acme.example", true)
	var cfg AdminConfig
	fs := c.Flags
	fs.StringVar(&cfg.Grant.Team, "team", "", "team `id`")
	fs.StringVar(&cfg.Grant.Email, "email", "", "the admin's `email`")
	fs.StringVar(&cfg.Grant.Role, "role", "", "primary, secondary, sso or user")
	fs.BoolVar(&cfg.Grant.CanPurchase, "can-purchase", false, "may see purchase insights (over-assignment)")
	fs.BoolVar(&cfg.ReadOnly, "read-only", false, "the new token only reads (insights, exports): for scripts and dashboards")
	fs.StringVar(&cfg.Expires, "expires", "", "the new token expires after a number of days (90d), a duration (12h) or on a date (YYYY-MM-DD); default never")
	fs.BoolVar(&cfg.List, "list", false, "list every admin's roles and tokens (ids, expiry, state), never the secrets")
	fs.StringVar(&cfg.Revoke, "revoke", "", "revoke every token of an `email`, or one token by id; it stops working at once")
	c.run = func(ctx context.Context, e env) error {
		cfg.DB = e.DB
		return Admin(ctx, cfg, e.Out)
	}
	return c
}

func insightsCommand() *command {
	c := newCommand("insights", "Computes and stores every team's insight snapshot for a day, and prints a line per team.",
		"collector insights --db collector.db --as-of 2026-11-26", false)
	c.Required = []string{"as-of"}
	asOf := c.Flags.String("as-of", "", "the `day` to compute, YYYY-MM-DD")
	c.run = func(ctx context.Context, e env) error { return Insights(ctx, e.DB, *asOf, e.Catalog, e.Out) }
	return c
}

func revokeCommand() *command {
	c := newCommand("revoke", "Revokes a device's token; with --delete-data it also deletes every usage day the device sent and which logins it reported.",
		"collector revoke --db collector.db --device 3f2a9c --delete-data", false)
	c.Required = []string{"device"}
	device := c.Flags.String("device", "", "device `id` (as in the usage details or the upload log)")
	deleteData := c.Flags.Bool("delete-data", false, "also delete the usage days and device-login rows the device sent")
	c.run = func(ctx context.Context, e env) error { return Revoke(ctx, e.DB, *device, *deleteData, e.Out) }
	return c
}

func enrollTokenCommand() *command {
	c := newCommand("enroll-token", "Mints an enrollment token that agents use in place of the shared enroll secret and prints it once (only its hash is stored); it enrolls at most --uses devices until it expires. --list shows the minted tokens, --revoke ends one at once.",
		"collector enroll-token --db collector.db --expires 7d --uses 500\ncollector enroll-token --db collector.db --list\ncollector enroll-token --db collector.db --revoke 9c41d2e07a3b5f18", true)
	var cfg EnrollTokenConfig
	expires := c.Flags.String("expires", "7d", "validity: days (7d), a duration (12h) or a day (YYYY-MM-DD)")
	c.Flags.Int64Var(&cfg.Uses, "uses", 1, "most devices the token may enroll")
	c.Flags.BoolVar(&cfg.List, "list", false, "list the minted tokens (ids, expiry, uses, state), never the tokens")
	c.Flags.StringVar(&cfg.Revoke, "revoke", "", "end the token of this `id` at once")
	c.run = func(ctx context.Context, e env) error {
		var err error
		if cfg.Expires, err = ParseExpires(*expires, time.Now()); err != nil {
			return err
		}
		cfg.DB = e.DB
		return EnrollTokens(ctx, cfg, e.Out, e.Info)
	}
	return c
}

// Commands lists the subcommands, for the help test and documentation.
func Commands() []*cmdline.Command {
	var out []*cmdline.Command
	for _, c := range commands() {
		out = append(out, c.Command)
	}
	return out
}
