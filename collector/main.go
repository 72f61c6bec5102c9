package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"teamlens/collector/internal/cli"
	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store"
)

const usage = `usage:
  collector serve    --db PATH|postgres://... --listen 127.0.0.1:8080 [--enroll-secret X]
                     [--max-body BYTES] [--insights-hour H] [--catalog FILE.toml]
                     [--max-device-users 20] [--tls-cert FILE --tls-key FILE]
  collector import   --db ... --kind teams|users|subscriptions|assignments [--replace] FILE.csv
  collector admin    --db ... --team T --email E --role primary|secondary|sso|user [--can-purchase] [--expires 90d]
  collector admin    --db ... --list | --revoke EMAIL|TOKEN-ID
  collector insights --db ... --as-of YYYY-MM-DD
  collector revoke   --db ... --device ID [--delete-data]
  collector enroll-token --db ... [--expires 7d] [--uses 1]

"collector COMMAND -h" explains a command.
`

// config is one parsed command line.
type config struct {
	cmd         string
	db          string
	catalogFile string
	serve       cli.ServeConfig
	kind, file  string
	admin       cli.AdminConfig
	replace     bool
	asOf        string
	device      string
	deleteData  bool
	expires     string
	uses        int64
}

var (
	errUsage = errors.New("usage")
	errHelp  = errors.New("help") // -h: the help was printed, exit 0
)

// commandHelp is what `collector CMD -h` says above and below the flags.
var commandHelp = map[string]struct{ what, example string }{
	"import": {"collector import loads a license CSV file (teams, users, subscriptions or assignments), all or nothing; " +
		"with --replace rows absent from the file are removed too, with the seats of removed users and subscriptions, and a summary is printed.",
		"collector import --db collector.db --kind users --replace users.csv"},
	"admin": {"collector admin grants an email a role on a team and prints a new bearer token for it; " +
		"one token serves every team of its email. --list shows admins and tokens, --revoke ends tokens at once.",
		"collector admin --db collector.db --team T1 --email it@example.com --role primary --can-purchase --expires 90d"},
	"serve": {"collector serve runs the HTTP API, the console, /metrics and the daily insight job; " +
		"without --enroll-secret devices enroll only with tokens from \"collector enroll-token\".",
		"collector serve --db /var/lib/teamlens-collector/collector.db --listen :8443 --tls-cert cert.pem --tls-key key.pem --max-device-users 20"},
	"revoke": {"collector revoke revokes a device's token; with --delete-data it also deletes every usage day the device sent and its device-login rows.",
		"collector revoke --db collector.db --device 3f2a9c... --delete-data"},
	"enroll-token": {"collector enroll-token mints an enrollment token that agents use in place of the shared enroll secret and prints it once " +
		"(only its hash is stored); it enrolls at most --uses devices until it expires.",
		"collector enroll-token --db collector.db --expires 7d --uses 500"},
}

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := parse(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, errHelp) {
			os.Exit(0)
		}
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "collector:", err)
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, logger); err != nil {
		fmt.Fprintln(os.Stderr, "collector:", err)
		os.Exit(1)
	}
}

func parse(args []string, stderr io.Writer) (config, error) {
	var cfg config
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return cfg, errUsage
	}
	cfg.cmd = args[0]
	fs := flag.NewFlagSet("collector "+cfg.cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		if h, ok := commandHelp[cfg.cmd]; ok {
			fmt.Fprintf(stderr, "%s\n\nflags:\n", h.what)
			fs.PrintDefaults()
			fmt.Fprintf(stderr, "\nexample:\n  %s\n", h.example)
			return
		}
		fmt.Fprint(stderr, usage)
	}
	fs.StringVar(&cfg.db, "db", "collector.db", "SQLite file or postgres:// URL")
	fs.StringVar(&cfg.catalogFile, "catalog", "", "TOML file of extra [[product]] entries")
	switch cfg.cmd {
	case "serve":
		fs.StringVar(&cfg.serve.Listen, "listen", "127.0.0.1:8080", "address to listen on")
		fs.StringVar(&cfg.serve.EnrollSecret, "enroll-secret", "", "shared secret agents enroll with (default $TEAMLENS_ENROLL_SECRET); empty: only minted enroll tokens")
		fs.IntVar(&cfg.serve.MaxDeviceUsers, "max-device-users", store.DefaultMaxDeviceUsers,
			"most distinct users one device may report for one day; a batch over it gets 400 (0: no cap)")
		fs.StringVar(&cfg.serve.TLSCert, "tls-cert", "", "PEM certificate (chain) file: serve HTTPS (with --tls-key)")
		fs.StringVar(&cfg.serve.TLSKey, "tls-key", "", "PEM private key file of --tls-cert")
		fs.Int64Var(&cfg.serve.MaxBody, "max-body", server.DefaultMaxBody, "limit of an upload's inflated body in bytes")
		fs.IntVar(&cfg.serve.InsightsHour, "insights-hour", 2, "local hour after which the day before's insights are computed")
	case "import":
		fs.StringVar(&cfg.kind, "kind", "", "teams|users|subscriptions|assignments")
		fs.BoolVar(&cfg.replace, "replace", false, "make the file the whole truth for its kind: rows absent from it are removed")
	case "admin":
		fs.StringVar(&cfg.admin.Grant.Team, "team", "", "team id")
		fs.StringVar(&cfg.admin.Grant.Email, "email", "", "admin's email")
		fs.StringVar(&cfg.admin.Grant.Role, "role", "", "primary|secondary|sso|user")
		fs.BoolVar(&cfg.admin.Grant.CanPurchase, "can-purchase", false, "may see purchase insights")
		fs.StringVar(&cfg.admin.Expires, "expires", "", "the new token expires after a number of days (90d), a duration (12h) or on a date (YYYY-MM-DD); default never")
		fs.BoolVar(&cfg.admin.List, "list", false, "list every admin's roles and tokens (ids, expiry, state), never the secrets")
		fs.StringVar(&cfg.admin.Revoke, "revoke", "", "revoke every token of an email, or one token by id; it stops working at once")
	case "insights":
		fs.StringVar(&cfg.asOf, "as-of", "", "day to compute, YYYY-MM-DD")
	case "revoke":
		fs.StringVar(&cfg.device, "device", "", "device id (required)")
		fs.BoolVar(&cfg.deleteData, "delete-data", false, "also delete the usage days and device-login rows the device sent")
	case "enroll-token":
		fs.StringVar(&cfg.expires, "expires", "7d", "validity: days (7d), a duration (12h) or a day (YYYY-MM-DD)")
		fs.Int64Var(&cfg.uses, "uses", 1, "most devices the token may enroll")
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, usage)
		return cfg, errHelp
	default:
		fmt.Fprint(stderr, usage)
		return cfg, fmt.Errorf("unknown command %q", cfg.cmd)
	}
	// Allow flags after the file argument too.
	var pos []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); errors.Is(err, flag.ErrHelp) {
			return cfg, errHelp
		} else if err != nil {
			return cfg, errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	switch {
	case cfg.cmd == "import" && len(pos) == 1:
		cfg.file = pos[0]
	case len(pos) > 0:
		return cfg, fmt.Errorf("unexpected argument %q", pos[0])
	case cfg.cmd == "import":
		return cfg, errors.New("import needs one CSV file")
	case cfg.cmd == "revoke" && cfg.device == "":
		return cfg, errors.New("revoke needs --device ID")
	}
	if cfg.cmd == "serve" && cfg.serve.EnrollSecret == "" {
		// A service reads the secret from its environment file, which keeps
		// it out of the process list.
		cfg.serve.EnrollSecret = os.Getenv("TEAMLENS_ENROLL_SECRET")
	}
	return cfg, nil
}

func run(ctx context.Context, cfg config, logger *slog.Logger) error {
	cat, err := cli.LoadCatalog(cfg.catalogFile)
	if err != nil {
		return err
	}
	switch cfg.cmd {
	case "serve":
		cfg.serve.DB, cfg.serve.Catalog, cfg.serve.Logger = cfg.db, cat, logger
		return cli.Serve(ctx, cfg.serve)
	case "import":
		return cli.Import(ctx, cfg.db, cfg.kind, cfg.file, cfg.replace, cat, os.Stdout)
	case "admin":
		cfg.admin.DB = cfg.db
		return cli.Admin(ctx, cfg.admin, os.Stdout)
	case "insights":
		return cli.Insights(ctx, cfg.db, cfg.asOf, cat, os.Stdout)
	case "revoke":
		return cli.Revoke(ctx, cfg.db, cfg.device, cfg.deleteData, os.Stdout)
	case "enroll-token":
		expires, err := cli.ParseExpires(cfg.expires, time.Now())
		if err != nil {
			return err
		}
		return cli.EnrollToken(ctx, cfg.db, expires, cfg.uses, os.Stdout, os.Stderr)
	}
	return fmt.Errorf("unknown command %q", cfg.cmd)
}
