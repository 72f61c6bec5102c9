// Package collectorconf holds the collector's settings that another
// program writes for it (the installer's collector package): where the
// service keeps its database, the address serve listens on by default,
// and the environment of the packaged service.
package collectorconf

// Where the collector's system service keeps its data.
const (
	// ServiceDataDir is the service's data directory, owned by its user.
	ServiceDataDir = "/var/lib/teamlens-collector"
	// DBFile is the SQLite database's name in a data directory.
	DBFile = "collector.db"
	// ServiceDB is the database every command uses as root without --db.
	ServiceDB = ServiceDataDir + "/" + DBFile
)

// DefaultListen is serve's address without --listen.
const DefaultListen = "127.0.0.1:8080"

// The packaged service's environment, from its settings file. Serve reads
// EnvEnrollSecret itself, so the secret stays out of the process list; the
// unit and the init script pass the others to serve's flags.
const (
	EnvEnrollSecret = "TEAMLENS_ENROLL_SECRET"
	EnvDB           = "TEAMLENS_DB"     // --db
	EnvListen       = "TEAMLENS_LISTEN" // --listen
	EnvArgs         = "TEAMLENS_ARGS"   // any other flags of serve
)
