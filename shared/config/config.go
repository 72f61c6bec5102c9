// Package config holds the agent's configuration, a contract of the agent,
// the installer and the viewer: a TOML file written by the installer,
// overridden by flags, with defaults that serve a single workstation when
// there is neither.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/BurntSushi/toml"

	"teamlens/shared/catalog"
)

// Analytics policies (contract).
const (
	AnalyticsUserChoice = "user-choice"
	AnalyticsDisabled   = "disabled"
)

// Policy is the administrator's policy in force: the one shape of it in
// the configuration, the agent's store, its status and its local API.
type Policy struct {
	Analytics string `json:"analytics"` // AnalyticsUserChoice or AnalyticsDisabled
	SeatUsage bool   `json:"seat_usage"`
}

// AnalyticsAllowed reports whether users may opt in.
func (p Policy) AnalyticsAllowed() bool { return p.Analytics != AnalyticsDisabled }

// ServiceName is the agent's OS service (and Debian package) name, which
// the installer registers and the agent runs as.
const ServiceName = "teamlens-agent"

// Config is the agent's whole configuration. The TOML keys are what the
// installer writes and admins edit.
type Config struct {
	DataDir  string `toml:"data_dir"`
	SpoolDir string `toml:"spool_dir"`
	Socket   string `toml:"socket"`

	Collector      string   `toml:"collector"`
	EnrollSecret   string   `toml:"enroll_secret"`
	UploadInterval Duration `toml:"upload_interval"`
	ScanInterval   Duration `toml:"scan_interval"`

	// Analytics is the admin policy: "user-choice" (default) or "disabled".
	Analytics string `toml:"analytics"`
	// SeatUsage records product sessions; nil means the default, true.
	SeatUsage *bool `toml:"seat_usage"`
	// ProcessScan turns running catalog products into sessions and samples
	// their CPU and memory; nil means the default, true. Off where every
	// product writes a journal.
	ProcessScan *bool `toml:"process_scan"`

	RetentionDays int      `toml:"retention_days"` // raw events; default 90
	MaxDBMB       int      `toml:"max_db_mb"`      // database size cap; default 256
	SpoolIdle     Duration `toml:"spool_idle"`     // remove read spool files idle this long; default 24h

	// RevitJournals are the folders (or glob patterns of folders) whose
	// journal.*.txt Revit journals the agent reads; default every user's
	// Revit journal folders on Windows, none elsewhere.
	RevitJournals []string `toml:"revit_journals"`

	// JournalProducts are products a plug-in journals (the AutoCAD bundle
	// on a workstation that has it): their sessions come from the journal
	// alone, and the process scan only samples them, so a session counts
	// once.
	JournalProducts []string `toml:"journal_products"`

	// Products adds to (or replaces entries of) the built-in catalog.
	Products []catalog.Product `toml:"product"`

	// LogFile, when set, receives the agent's log instead of stderr.
	LogFile string `toml:"log_file"`
}

// Duration is a time.Duration written as "1h" or "5s" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Load reads a TOML file; unknown keys are an error so a typo is not
// silently ignored.
func Load(path string) (Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return c, fmt.Errorf("config %s: unknown key %q", path, und[0].String())
	}
	return c, nil
}

// WithDefaults fills every unset field.
func (c Config) WithDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
	}
	if c.SpoolDir == "" {
		c.SpoolDir = DefaultSpoolDir(c.DataDir)
	}
	if c.Socket == "" {
		c.Socket = DefaultSocket(c.DataDir)
	}
	if c.UploadInterval.Duration <= 0 {
		c.UploadInterval.Duration = time.Hour
	}
	if c.ScanInterval.Duration <= 0 {
		c.ScanInterval.Duration = 5 * time.Second
	}
	if c.Analytics == "" {
		c.Analytics = AnalyticsUserChoice
	}
	if c.SeatUsage == nil {
		t := true
		c.SeatUsage = &t
	}
	if c.RetentionDays <= 0 {
		c.RetentionDays = 90
	}
	if c.MaxDBMB <= 0 {
		c.MaxDBMB = 256
	}
	if c.SpoolIdle.Duration <= 0 {
		c.SpoolIdle.Duration = 24 * time.Hour
	}
	if c.RevitJournals == nil {
		c.RevitJournals = DefaultRevitJournals()
	}
	if c.JournalProducts == nil {
		c.JournalProducts = DefaultJournalProducts()
	}
	return c
}

// DefaultJournalProducts are the products whose plug-in is installed for
// every user: on Windows, AutoCAD when the Teamlens bundle is in
// %ProgramData%\Autodesk\ApplicationPlugins (the MSI puts it there).
func DefaultJournalProducts() []string {
	if runtime.GOOS != "windows" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(programData(), "Autodesk", "ApplicationPlugins", "Teamlens.bundle", "PackageContents.xml")); err == nil {
		return []string{"AutoCAD"}
	}
	return nil
}

// DefaultRevitJournals are the folders Revit writes its journals to:
// every user's %LOCALAPPDATA%\Autodesk\Revit\Autodesk Revit <year>\Journals
// on Windows (a glob pattern), none elsewhere, where Revit does not run.
func DefaultRevitJournals() []string {
	if runtime.GOOS != "windows" {
		return nil
	}
	drive := os.Getenv("SystemDrive")
	if drive == "" {
		drive = "C:"
	}
	return []string{filepath.Join(drive+`\`, "Users", "*", "AppData", "Local", "Autodesk", "Revit", "Autodesk Revit *", "Journals")}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if err := CheckAnalytics(c.Analytics); err != nil {
		return err
	}
	if c.Collector != "" && c.EnrollSecret == "" {
		return errors.New("a collector needs an enroll secret")
	}
	cat := catalog.Builtin().With(c.Products)
	for _, name := range c.JournalProducts {
		if _, ok := cat.Lookup(name); !ok {
			return fmt.Errorf("journal_products: %q is not a product of the catalog", name)
		}
	}
	if c.Collector != "" {
		return CheckCollector(c.Collector)
	}
	return nil
}

// CheckAnalytics is the rule for the analytics policy.
func CheckAnalytics(policy string) error {
	if policy != AnalyticsUserChoice && policy != AnalyticsDisabled {
		return fmt.Errorf("analytics must be %q or %q, not %q", AnalyticsUserChoice, AnalyticsDisabled, policy)
	}
	return nil
}

// CheckCollector is the rule for the collector's address.
func CheckCollector(collector string) error {
	u, err := url.Parse(collector)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("collector %q is not an http:// or https:// URL", collector)
	}
	return nil
}

// Catalog returns the built-in catalog with the configured products, the
// journal products marked so.
func (c Config) Catalog() *catalog.Catalog {
	cat := catalog.Builtin().With(c.Products)
	var marked []catalog.Product
	for _, name := range c.JournalProducts {
		if p, ok := cat.Lookup(name); ok {
			p.Journal = true
			marked = append(marked, p)
		}
	}
	return cat.With(marked)
}

// Policy is the configured policy.
func (c Config) Policy() Policy {
	p := Policy{Analytics: c.Analytics, SeatUsage: c.SeatUsageOn()}
	if p.Analytics == "" {
		p.Analytics = AnalyticsUserChoice
	}
	return p
}

// SeatUsageOn reports the seat-usage policy.
func (c Config) SeatUsageOn() bool { return c.SeatUsage == nil || *c.SeatUsage }

// ProcessScanOn reports whether the process table is scanned.
func (c Config) ProcessScanOn() bool { return c.ProcessScan == nil || *c.ProcessScan }

// DefaultDataDir is the service's data directory when running as root (or
// a Windows service), and the user's own data directory otherwise.
func DefaultDataDir() string {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		return ServiceDataDir()
	}
	if dir := os.Getenv("XDG_DATA_HOME"); dir != "" {
		return filepath.Join(dir, "teamlens")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "teamlens")
	}
	return "teamlens-data"
}

// ServiceDataDir is the system service's data directory, whoever asks
// (the installer lays it out).
func ServiceDataDir() string {
	switch runtime.GOOS {
	case "windows":
		return filepath.Join(programData(), "Teamlens")
	case "darwin":
		return "/Library/Application Support/Teamlens"
	}
	return "/var/lib/teamlens"
}

// DefaultSpoolDir is where products write journals: the service's spool
// when running as root (or a Windows service), else under dataDir.
func DefaultSpoolDir(dataDir string) string {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		return ServiceSpoolDir()
	}
	return filepath.Join(dataDir, "spool")
}

// ServiceSpoolDir is the system service's spool. It is not under the data
// directory: that one is private, and every user must reach the spool.
func ServiceSpoolDir() string {
	switch runtime.GOOS {
	case "windows":
		// Inside the data directory, as DESIGN's Windows layout has it: the
		// spool's own ACL lets every user create files there, and traversal
		// needs no right on the private folder above it.
		return filepath.Join(programData(), "Teamlens", "spool")
	case "darwin":
		return "/Users/Shared/Teamlens/spool"
	}
	return "/var/spool/teamlens"
}

func programData() string {
	if pd := os.Getenv("ProgramData"); pd != "" {
		return pd
	}
	return `C:\ProgramData`
}

// ServicePipe is the local API's named pipe on Windows. Pipe names are
// machine-wide, so every agent on Windows defaults to it.
const ServicePipe = `\\.\pipe\teamlens-agent`

// DefaultSocket is where the agent listens for the viewer: a Unix socket
// path, or on Windows a named pipe.
func DefaultSocket(dataDir string) string {
	if runtime.GOOS == "windows" {
		return ServicePipe
	}
	if os.Geteuid() != 0 {
		return filepath.Join(dataDir, "agent.sock")
	}
	return ServiceSocket()
}

// ServiceSocket is where an agent running as the system service listens.
func ServiceSocket() string {
	switch runtime.GOOS {
	case "windows":
		return ServicePipe
	case "darwin":
		return "/var/run/teamlens/agent.sock"
	}
	return "/run/teamlens/agent.sock"
}

// DefaultConfigFile is where the installer writes the configuration.
func DefaultConfigFile() string {
	switch runtime.GOOS {
	case "windows":
		return filepath.Join(ServiceDataDir(), "agent.toml")
	case "darwin":
		return "/Library/Application Support/Teamlens/agent.toml"
	}
	return "/etc/teamlens/agent.toml"
}
