package revitjournal

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"teamlens/agent/internal/fileid"
	"teamlens/agent/internal/gate"
	"teamlens/agent/internal/ingest"
	"teamlens/agent/internal/rollup"
	"teamlens/shared/journal"
)

// Store is the repository the reader commits to and keeps positions in.
type Store interface {
	ingest.Repo
	File(ctx context.Context, key string) (ingest.Position, bool, error)
	RemoveFile(ctx context.Context, key string) error
}

// Pattern is the file name of Revit's journals in a journal folder.
const Pattern = "journal.*.txt"

// Process start times a journal's own start is matched against: Revit
// starts its journal within seconds of starting.
const (
	matchBefore = 5 * time.Minute // the process started at most this before the journal
	matchAfter  = time.Minute     // or this after (clocks read at different moments)
)

// Key is what the store keeps of a journal's path: a hash, never the
// path, which names the user and often the project.
func Key(path string) string {
	sum := sha256.Sum256([]byte("revit-journal\x00" + path))
	return ingest.HashedPrefix + hex.EncodeToString(sum[:16])
}

// Reader follows the journals of Revit's journal folders, exactly once:
// each journal's read position is committed with the events read from it.
// The zero values of the optional fields are production.
type Reader struct {
	// Dirs are journal folders, or glob patterns of them (every user's
	// folders on Windows).
	Dirs      []string
	Store     Store
	Sanitizer journal.Sanitizer
	Log       *slog.Logger
	// Loc is the zone of the journals' wall-clock times (default time.Local).
	Loc *time.Location
	// Running returns, per OS user, the start times of Revit's running
	// processes; false while it does not know (no scan yet). Nil: never
	// known, and a journal that does not say it finished ends when it has
	// not been written for IdleEnd.
	Running func() (map[string][]time.Time, bool)
	Now     func() time.Time
	// Interval is the period of the folder scan (default 5s).
	Interval time.Duration
	// Grace is how long a journal written lately is not ended for want
	// of a process (default 1m): the process scan may not have seen a
	// Revit that just started.
	Grace time.Duration
	// IdleEnd ends an unfinished journal not written for this long when
	// Running is nil (default 24h).
	IdleEnd time.Duration
	// Size tells a document's size from its path (default: os.Stat of
	// an absolute path).
	Size func(path string) (int64, bool)
	// BatchLines bounds the lines committed in one transaction (default 5000).
	BatchLines int

	files   fileid.Resolver
	tails   map[string]*tail
	started bool
}

// tail is what the reader holds of one journal between reads.
type tail struct {
	path      string          // in memory only, never stored or logged
	pos       ingest.Position // as committed
	parser    *Parser
	mtime     time.Time
	lastAlive time.Time
}

func (r *Reader) defaults() {
	if r.started {
		return
	}
	r.started = true
	if r.Interval <= 0 {
		r.Interval = 5 * time.Second
	}
	if r.Grace <= 0 {
		r.Grace = time.Minute
	}
	if r.IdleEnd <= 0 {
		r.IdleEnd = 24 * time.Hour
	}
	if r.BatchLines <= 0 {
		r.BatchLines = 5000
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	if r.Size == nil {
		r.Size = statSize
	}
	r.tails = map[string]*tail{}
}

// statSize is the size of the document at an absolute path; a relative
// one (Revit writes some relative to its own folder) is not guessed at.
func statSize(path string) (int64, bool) {
	if !filepath.IsAbs(path) && !strings.HasPrefix(path, `\\`) && !(len(path) > 2 && path[1] == ':' && (path[2] == '\\' || path[2] == '/')) {
		return 0, false
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	return fi.Size(), true
}

// Run reads the journal folders until ctx ends.
func (r *Reader) Run(ctx context.Context) error {
	r.defaults()
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		r.Poll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Poll reads what every journal gained since the last poll and ends the
// sessions whose Revit is gone. It reports whether anything failed
// (which the next poll retries: nothing of it was committed).
func (r *Reader) Poll(ctx context.Context) (failed bool) {
	r.defaults()
	present := map[string]bool{}
	for _, path := range r.journals() {
		present[Key(path)] = true
		if ctx.Err() != nil {
			return false
		}
		if err := r.read(ctx, path); err != nil {
			failed = true
			// The key, never the path: it names the user.
			r.Log.Error("revit journal read", "journal", Key(path), "err", err)
			delete(r.tails, Key(path))
		}
	}
	if err := r.liveness(ctx); err != nil {
		failed = true
		r.Log.Error("revit journal sessions", "err", err)
	}
	if err := r.forgetGone(ctx, present); err != nil {
		failed = true
		r.Log.Error("revit journal positions", "err", err)
	}
	return failed
}

// forgetGone drops the positions of journals Revit deleted (it keeps a
// few per user) since they were read. Only a file known to be gone counts:
// a folder that could not be listed (a profile not mounted) loses nothing.
func (r *Reader) forgetGone(ctx context.Context, present map[string]bool) error {
	var errs []error
	for key, t := range r.tails {
		if present[key] {
			continue
		}
		if _, err := os.Lstat(t.path); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if _, err := os.Stat(filepath.Dir(t.path)); err != nil {
			continue
		}
		if !t.parser.Ended() && t.parser.emitted {
			// Deleted before its end was seen: end it now.
			b := ingest.Batch{User: t.pos.User, Rejects: map[string]int{}}
			b.Events = t.parser.End(t.lastAlive, b.Rejects)
			if _, err := (ingest.Pipeline{Repo: r.Store}).Commit(ctx, b); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if err := r.Store.RemoveFile(ctx, key); err != nil {
			errs = append(errs, err)
			continue
		}
		delete(r.tails, key)
	}
	return errors.Join(errs...)
}

// journals lists the journal files of every folder.
func (r *Reader) journals() []string {
	var out []string
	seen := map[string]bool{}
	for _, pattern := range r.Dirs {
		dirs, err := filepath.Glob(pattern)
		if err != nil {
			r.Log.Warn("revit journal folder pattern", "err", err)
			continue
		}
		for _, dir := range dirs {
			files, _ := filepath.Glob(filepath.Join(dir, Pattern))
			for _, f := range files {
				if !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// read commits the complete lines path gained, in batches.
func (r *Reader) read(ctx context.Context, path string) error {
	key := Key(path)
	f, info, err := r.files.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // gone between the listing and now: forgetGone
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if !journal.ValidUser(info.User) {
		return errors.New("owner is not a valid login")
	}
	st, found, err := r.Store.File(ctx, key)
	if err != nil {
		return err
	}
	st, restarted := ingest.Resume(st, found, key, info)
	if restarted {
		r.Log.Warn("revit journal replaced or truncated; reading it from the start", "journal", key)
	}
	t := r.tails[key]
	if t == nil || t.pos.Offset != st.Offset || t.pos.Dev != st.Dev || t.pos.Ino != st.Ino {
		if t, err = r.rebuild(f, st); err != nil {
			return err
		}
		t.path = path
		r.tails[key] = t
	}
	t.mtime = info.ModTime
	if st.Offset == info.Size {
		return nil
	}
	if _, err := f.Seek(st.Offset, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	for {
		b := ingest.Batch{User: info.User, Rejects: map[string]int{}}
		next := st
		lines, more, err := r.lines(br, t.parser, &next, &b)
		if err != nil {
			return err
		}
		if lines == 0 {
			return nil
		}
		next.Ended = t.parser.Ended()
		next.Updated = r.Now()
		b.Files = []ingest.Position{next}
		if _, err := (ingest.Pipeline{Repo: r.Store}).Commit(ctx, b); err != nil {
			return err
		}
		r.logRejects(key, b.Rejects)
		st, t.pos = next, next
		if !more {
			return nil
		}
	}
}

// lines feeds up to a batch of complete lines to p; a partial last line
// (Revit still writing it) waits.
func (r *Reader) lines(br *bufio.Reader, p *Parser, st *ingest.Position, b *ingest.Batch) (int, bool, error) {
	n := 0
	for n < r.BatchLines {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Longer than any line worth reading: skip it whole.
			skipped := int64(len(line))
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				skipped += int64(len(line))
			}
			if err != nil {
				return n, false, ignoreEOF(err) // its end is not written yet
			}
			st.Offset += skipped
			st.Line++
			n++
			continue
		}
		if err != nil {
			return n, false, ignoreEOF(err)
		}
		st.Offset += int64(len(line))
		st.Line++
		n++
		b.Events = append(b.Events, p.Feed(line[:len(line)-1], b.Rejects)...)
	}
	return n, true, nil
}

func ignoreEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// rebuild makes a journal's parser state at its committed position by
// feeding the prefix again, line by line as it was read (long lines
// skipped alike); its events were committed before.
func (r *Reader) rebuild(f *os.File, st ingest.Position) (*tail, error) {
	p := &Parser{Session: sessionID(st), Sanitizer: r.Sanitizer, Loc: r.Loc}
	if st.Offset > 0 {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		br := bufio.NewReaderSize(io.LimitReader(f, st.Offset), 64<<10)
		replay := ingest.Position{}
		for replay.Offset < st.Offset {
			b := ingest.Batch{Rejects: map[string]int{}}
			n, _, err := r.lines(br, p, &replay, &b)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				break
			}
		}
		if st.Ended && !p.Ended() {
			p.End(p.Last(), map[string]int{})
		}
	}
	p.Size = r.Size
	return &tail{pos: st, parser: p}, nil
}

// sessionID names a journal's session from its key and file identity:
// stable across restarts, and no path in it.
func sessionID(st ingest.Position) string {
	sum := sha256.Sum256([]byte(st.Path + "\x00" + itoa(st.Dev) + "\x00" + itoa(st.Ino)))
	return "rvt-" + hex.EncodeToString(sum[:8])
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}

// liveness keeps each open journal's session alive while its Revit runs,
// and ends it when that Revit is gone.
func (r *Reader) liveness(ctx context.Context) error {
	now := r.Now()
	var running map[string][]time.Time
	known := false
	if r.Running != nil {
		running, known = r.Running()
		if !known {
			return nil // no process scan yet: nothing can be told
		}
	}
	var errs []error
	for key, t := range r.tails {
		p := t.parser
		if !p.Started() || p.Ended() {
			continue
		}
		b := ingest.Batch{User: t.pos.User, Rejects: map[string]int{}}
		switch {
		case known && alive(running[t.pos.User], p.StartedAt()):
			t.lastAlive = now
			if !p.emitted {
				continue // still starting: its session starts once Revit is ready
			}
			b.Alive = []gate.Alive{{Key: rollup.SessionKey{Product: Product, Version: p.Version(), Session: p.Session}, At: now.UnixMilli()}}
		case known && now.Sub(t.mtime) >= r.Grace, !known && now.Sub(t.mtime) >= r.IdleEnd:
			// When Revit was last seen, or else the journal's last time.
			b.Events = p.End(t.lastAlive, b.Rejects)
			pos := t.pos
			pos.Ended, pos.Updated = true, now
			b.Files = []ingest.Position{pos}
		default:
			continue
		}
		if _, err := (ingest.Pipeline{Repo: r.Store}).Commit(ctx, b); err != nil {
			errs = append(errs, err)
			delete(r.tails, key) // rebuilt from what was committed
			continue
		}
		if len(b.Files) > 0 {
			t.pos = b.Files[0]
		}
	}
	return errors.Join(errs...)
}

// alive says one of the user's Revit processes is the one that wrote a
// journal started at start.
func alive(starts []time.Time, start time.Time) bool {
	for _, s := range starts {
		if !s.Before(start.Add(-matchBefore)) && !s.After(start.Add(matchAfter)) {
			return true
		}
	}
	return false
}

func (r *Reader) logRejects(key string, rejects map[string]int) {
	for reason, n := range rejects {
		r.Log.Warn("revit journal events rejected", "journal", key, "reason", reason, "count", n)
	}
}
