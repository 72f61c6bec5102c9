package fleetsim

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// SeedConfig configures `fleetsim seed`.
type SeedConfig struct {
	Options
	Upload UploadOptions
	// CSVDir receives the license files.
	CSVDir string
	// DB and CollectorBin, when set, import the files with
	// `CollectorBin import --db DB` before the upload.
	DB, CollectorBin string
}

// Seed writes the organization's license files, imports them, and uploads
// its users' days.
func Seed(ctx context.Context, cfg SeedConfig, out io.Writer) error {
	org := New(cfg.Options)
	if err := os.MkdirAll(cfg.CSVDir, 0o755); err != nil {
		return err
	}
	files, err := org.WriteCSV(cfg.CSVDir)
	if err != nil {
		return err
	}
	if cfg.DB != "" {
		for _, f := range files {
			cmd := exec.CommandContext(ctx, cfg.CollectorBin, "import", "--db", cfg.DB, "--kind", f[0], f[1])
			if b, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("collector import %s: %w: %s", f[0], err, b)
			}
		}
	}
	size, n, err := org.WireBytes(500)
	if err != nil {
		return err
	}
	start := time.Now()
	rec, err := org.Upload(ctx, cfg.Upload)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "fleetsim: %d teams, %d subscriptions, %d users on %d devices; %d days uploaded in %s (%s); %.0f gzip bytes per user-day\n",
		len(org.Teams), len(org.Subscriptions), len(org.Users), org.Opt.Devices, rec.DaysAcked,
		time.Since(start).Round(time.Millisecond), rec.Summary(), float64(size)/float64(max(1, n)))
	return nil
}

// RunLoad runs the load test, prints its report and checks what the
// collector at dsn stored. It fails on any answer other than 200 or 503.
func RunLoad(ctx context.Context, lo LoadOptions, dsn string, out io.Writer) error {
	rep, err := Load(ctx, lo)
	if err != nil {
		return err
	}
	rep.Print(out, lo)
	if n := rep.Burst.Others() + rep.Continuous.Others(); n > 0 {
		return fmt.Errorf("%d answers were neither 200 nor 503", n)
	}
	if dsn == "" {
		return nil
	}
	n, err := rep.Ledger.Verify(ctx, dsn)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	fmt.Fprintf(out, "verified: %d stored days, every acknowledged day stored once\n", n)
	return nil
}

// RunIngest measures and prints the collector's ingest rate.
func RunIngest(ctx context.Context, opt IngestOptions, out io.Writer) error {
	res, err := Ingest(ctx, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ingest: %d days from %d devices in %s: %.0f days/s; %.0f gzip bytes per day; %s\n",
		res.Days, max(1, opt.Devices), res.Elapsed.Round(time.Millisecond), float64(res.Days)/res.Elapsed.Seconds(), res.BytesPerDay, res.Rec.Summary())
	return nil
}
