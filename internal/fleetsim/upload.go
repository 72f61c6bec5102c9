package fleetsim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"teamlens/internal/simupload"
	"teamlens/shared/wire"
)

// Recorder counts the answers and latencies of every request; safe for
// concurrent use.
type Recorder struct {
	mu        sync.Mutex
	Status    map[int]int     // answers by HTTP status; 0 counts transport errors
	Latency   []time.Duration // of every answered request
	OK        []time.Duration // of 200s
	DaysAcked int
}

func (r *Recorder) add(status int, d time.Duration, acked int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Status == nil {
		r.Status = map[int]int{}
	}
	r.Status[status]++
	if status != 0 {
		r.Latency = append(r.Latency, d)
	}
	if status == http.StatusOK {
		r.OK = append(r.OK, d)
		r.DaysAcked += acked
	}
}

// Quantile returns the q-quantile (nearest rank) of ds, or 0 for none.
func Quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// send posts days through the agent's upload client until the collector
// acknowledges them: a 503 (or a transport error) is retried after a
// backoff with jitter, as the agent retries; a 413 halves the batch as the
// agent does. Any other answer is an error. onAck runs for each
// acknowledged part.
func send(ctx context.Context, dev *simupload.Device, days []wire.Day, rec *Recorder, onAck func([]wire.Day)) error {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	wait := 250 * time.Millisecond
	for len(days) > 0 {
		n := len(days)
		for {
			start := time.Now()
			status, body, err := dev.Send(ctx, days[:n])
			if ctx.Err() != nil {
				return ctx.Err() // cut short by the end of the run: no answer to count
			}
			rec.add(status, time.Since(start), n)
			switch {
			case err == nil && status == http.StatusOK:
				if onAck != nil {
					onAck(days[:n])
				}
				days = days[n:]
				wait = 250 * time.Millisecond
			case err == nil && status == http.StatusRequestEntityTooLarge && n > 1:
				n /= 2
				continue
			case err != nil || status == http.StatusServiceUnavailable:
				sleep := time.Duration(float64(wait) * (0.5 + rng.Float64()))
				wait = min(8*time.Second, wait*2)
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(sleep):
				}
				continue
			default:
				return fmt.Errorf("collector answered %d: %s", status, body)
			}
			break
		}
	}
	return nil
}

// UploadOptions say where and how the organization's days go.
type UploadOptions struct {
	Collector string
	// Collectors, when set, spreads the devices over several collector
	// replicas (device i uploads to Collectors[i%len]), as a load
	// balancer would.
	Collectors   []string
	EnrollSecret string
	// StateDir keeps each simulated device's credential, as an agent keeps
	// it in its data directory.
	StateDir    string
	Concurrency int // devices uploading at once; default 8
	BatchDays   int // days per request; default 500, the agent's
	Client      *http.Client
}

// Upload enrolls every device of the organization and uploads all its
// users' days, several devices at once.
func (org *Org) Upload(ctx context.Context, uo UploadOptions) (*Recorder, error) {
	if uo.Concurrency <= 0 {
		uo.Concurrency = 8
	}
	if uo.BatchDays <= 0 {
		uo.BatchDays = 500
	}
	if uo.Client == nil {
		uo.Client = &http.Client{Timeout: time.Minute}
	}
	byDevice := make([][]*User, org.Opt.Devices)
	for _, u := range org.Users {
		byDevice[u.Device] = append(byDevice[u.Device], u)
	}
	rec := &Recorder{}
	work := make(chan int)
	errs := make(chan error, uo.Concurrency)
	var wg sync.WaitGroup
	for w := 0; w < uo.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := org.uploadDevice(ctx, uo, i, byDevice[i], rec); err != nil {
					errs <- fmt.Errorf("device %d: %w", i, err)
					return
				}
			}
		}()
	}
	var err error
feed:
	for i := range byDevice {
		select {
		case work <- i:
		case err = <-errs:
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err == nil && len(errs) > 0 {
		err = <-errs
	}
	return rec, err
}

func (org *Org) uploadDevice(ctx context.Context, uo UploadOptions, i int, users []*User, rec *Recorder) error {
	dir := filepath.Join(uo.StateDir, fmt.Sprintf("ws-%04d", i))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	collector := uo.Collector
	if len(uo.Collectors) > 0 {
		collector = uo.Collectors[i%len(uo.Collectors)]
	}
	dev, err := simupload.Enroll(ctx, uo.Client, collector, uo.EnrollSecret, dir)
	if err != nil {
		return err
	}
	var days []wire.Day
	for _, u := range users {
		days = append(days, org.Days(u)...)
	}
	// The agent sends its oldest days first.
	sort.SliceStable(days, func(a, b int) bool { return days[a].Date < days[b].Date })
	for start := 0; start < len(days); start += uo.BatchDays {
		if err := send(ctx, dev, days[start:min(start+uo.BatchDays, len(days))], rec, nil); err != nil {
			return err
		}
	}
	return nil
}

// WireBytes is what the organization's days weigh on the wire: the gzip
// JSON bodies of each device's days in the agent's batches of batchDays,
// and the number of days.
func (org *Org) WireBytes(batchDays int) (bytes, days int, err error) {
	byDevice := make([][]wire.Day, org.Opt.Devices)
	for _, u := range org.Users {
		byDevice[u.Device] = append(byDevice[u.Device], org.Days(u)...)
	}
	for _, dd := range byDevice {
		for start := 0; start < len(dd); start += batchDays {
			b, err := gzipBatch(dd[start:min(start+batchDays, len(dd))])
			if err != nil {
				return 0, 0, err
			}
			bytes += len(b)
		}
		days += len(dd)
	}
	return bytes, days, nil
}
