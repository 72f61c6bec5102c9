package fleetsim

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"teamlens/internal/simupload"
	"teamlens/shared/wire"
)

// IngestOptions shape an ingest-rate measurement: Devices upload Days
// each, in batches of BatchDays, all at once.
type IngestOptions struct {
	Collector, EnrollSecret, StateDir string
	Devices                           int // default 4
	Days                              int // per device; default 20,000, at most MaxIngestDays
	BatchDays                         int // default 5,000, the collector's cap
	End                               time.Time
}

// IngestResult is the measured rate.
type IngestResult struct {
	Days        int
	Elapsed     time.Duration
	BytesPerDay float64 // gzip body bytes per day record
	Rec         *Recorder
}

// Ingest measures how fast the collector stores days over HTTP. Bodies are
// encoded as the agent encodes them (gzip JSON) before the clock starts, so
// the figure is the collector's rate, not the simulator's.
func Ingest(ctx context.Context, opt IngestOptions) (*IngestResult, error) {
	if opt.Devices <= 0 {
		opt.Devices = 4
	}
	if opt.Days <= 0 {
		opt.Days = 20_000
	}
	if opt.Days > MaxIngestDays {
		return nil, fmt.Errorf("%d days per device is over the %d a device can send (%d users, 700 days)", opt.Days, MaxIngestDays, ingestUsers)
	}
	if opt.BatchDays <= 0 {
		opt.BatchDays = 5000
	}
	if opt.End.IsZero() {
		opt.End = time.Now()
	}
	client := &http.Client{Timeout: 2 * time.Minute}
	bodies := make([][][]byte, opt.Devices)
	tokens := make([]string, opt.Devices)
	var bytesTotal int
	for d := 0; d < opt.Devices; d++ {
		dir := filepath.Join(opt.StateDir, fmt.Sprintf("ingest-%02d", d))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		dev, err := simupload.Enroll(ctx, client, opt.Collector, opt.EnrollSecret, dir)
		if err != nil {
			return nil, err
		}
		tokens[d] = dev.Token()
		days := benchDays(d, opt.Days, opt.End)
		for start := 0; start < len(days); start += opt.BatchDays {
			b, err := gzipBatch(days[start:min(start+opt.BatchDays, len(days))])
			if err != nil {
				return nil, err
			}
			bytesTotal += len(b)
			bodies[d] = append(bodies[d], b)
		}
	}
	res := &IngestResult{Days: opt.Devices * opt.Days, Rec: &Recorder{}, BytesPerDay: float64(bytesTotal) / float64(opt.Devices*opt.Days)}
	start := time.Now()
	err := each(opt.Devices, func(d int) error {
		for i, body := range bodies[d] {
			for {
				t0 := time.Now()
				status, err := postRaw(ctx, client, opt.Collector, tokens[d], body)
				res.Rec.add(status, time.Since(t0), min(opt.BatchDays, opt.Days-i*opt.BatchDays))
				if err != nil {
					return err
				}
				if status == http.StatusOK {
					break
				}
				if status != http.StatusServiceUnavailable {
					return fmt.Errorf("collector answered %d", status)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		return nil
	})
	res.Elapsed = time.Since(start)
	return res, err
}

// benchDays are the days of the insight benchmark's shape (two products
// a user-day, startup and save stats, two commands), for 16 users: under
// the collector's cap of distinct users per device and day. n is at most
// MaxIngestDays.
func benchDays(device, n int, end time.Time) []wire.Day {
	out := make([]wire.Day, 0, n)
	for i := 0; len(out) < n; i++ {
		user, back := i%ingestUsers, i/ingestUsers
		for _, p := range []string{"AutoCAD", "Revit"} {
			if len(out) == n {
				break
			}
			ms := int64(2000 + (user*37+back)%3000)
			out = append(out, wire.Day{Date: end.AddDate(0, 0, -back).Format(wire.DateLayout), User: fmt.Sprintf("ingest%d-%d", device, user),
				Product: p, Version: "2027.1", Minutes: 60, Sessions: 1,
				Analytics: &wire.Analytics{StartupMS: &wire.Stat{Count: 1, Sum: ms, Min: ms, Max: ms},
					SaveMS:   &wire.Stat{Count: 2, Sum: ms / 2 * 2, Min: ms / 2, Max: ms / 2},
					Commands: map[string]*wire.Outcomes{"LINE": {Started: 5, Completed: 4}, "MOVE": {Started: 2, Completed: 2}}}})
		}
	}
	return out
}

// ingestUsers per device, and the most days a device can send: its users'
// two products on each of the 700 days the collector accepts.
const (
	ingestUsers   = 16
	MaxIngestDays = ingestUsers * 2 * 700
)

func gzipBatch(days []wire.Day) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(wire.Batch{Schema: wire.Schema, BatchID: fmt.Sprintf("ingest-%p", &days[0]), Days: days}); err != nil {
		return nil, err
	}
	err := zw.Close()
	return buf.Bytes(), err
}

func postRaw(ctx context.Context, client *http.Client, collector, token string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, collector+"/v1/usage", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
