package journal

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Writer appends the events of one product session to a new file in the
// spool directory. Each event is checked by the sanitizer before it is
// written, so a Writer cannot produce a line the agent would reject.
// Safe for concurrent use.
//
// The spool is writable by every user, so the writer trusts no name in it:
// it creates its file exclusively, re-opens it without following links,
// and appends only to the very file it created, still owned by this user.
// Anything else at the name (another user's file or link, planted after
// the agent removed an idle journal) is left alone and the session goes on
// in a new file with a new random name.
type Writer struct {
	// Now stamps events; nil means time.Now. Simulations set their own clock.
	Now func() time.Time

	mu      sync.Mutex
	dir     string
	path    string
	created os.FileInfo // the file this writer created at path
	product string
	version string
	session string
	san     Sanitizer
}

// Create starts a session file for product and version in the spool
// directory dir. The file is readable by its owner only: the agent reads it
// as the service account and attributes it to the file's owner.
func Create(dir, product, version string) (*Writer, error) {
	session := NewSessionID()
	w := &Writer{dir: dir, product: product, version: version, session: session}
	if _, ok := w.san.catalog().Lookup(product); !ok {
		return nil, fmt.Errorf("journal: product %q is not in the catalog", product)
	}
	if !ValidVersion(version) {
		return nil, fmt.Errorf("journal: invalid version %q", version)
	}
	f, err := w.create("")
	if err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return w, nil
}

// create makes a new file exclusively: O_EXCL fails on any existing name,
// a symbolic link included. The first file is named after the session; a
// later one, or one whose name is taken, gets a random suffix no other
// user can guess in advance.
func (w *Writer) create(suffix string) (*os.File, error) {
	base := strings.ReplaceAll(w.product, " ", "") + "-" + w.session
	for attempt := 0; ; attempt++ {
		path := filepath.Join(w.dir, base+suffix+".jsonl")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|noFollow, 0o600)
		if err == nil {
			fi, err := f.Stat()
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("journal: %w", err)
			}
			w.path, w.created = path, fi
			return f, nil
		}
		if !errors.Is(err, fs.ErrExist) || attempt == 10 {
			return nil, fmt.Errorf("journal: %w", err)
		}
		suffix = "-" + NewSessionID()[:8]
	}
}

// open returns the session's file for appending: the file this writer
// created, or a new one when that is gone or something else holds its name.
func (w *Writer) open() (*os.File, error) {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|noFollow, 0)
	if err == nil {
		fi, err := f.Stat()
		if err == nil && fi.Mode().IsRegular() && os.SameFile(fi, w.created) && ownedAlone(fi) {
			return f, nil
		}
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) && !isLink(err) {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return w.create("-" + NewSessionID()[:8])
}

// NewSessionID returns a random opaque session identifier.
func NewSessionID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Session returns the session identifier of this writer.
func (w *Writer) Session() string { return w.session }

// Path returns the path of the journal file the session writes to now.
func (w *Writer) Path() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.path
}

// Start writes session.start; startupMS < 0 leaves the startup time out.
func (w *Writer) Start(startupMS int64) error {
	e := w.event(SessionStart)
	if startupMS >= 0 {
		e.StartupMS = &startupMS
	}
	return w.write(e)
}

// End writes session.end.
func (w *Writer) End() error { return w.write(w.event(SessionEnd)) }

// Open writes document.open.
func (w *Writer) Open(d time.Duration, sizeBytes int64) error {
	return w.document(DocumentOpen, d, sizeBytes)
}

// Save writes document.save.
func (w *Writer) Save(d time.Duration, sizeBytes int64) error {
	return w.document(DocumentSave, d, sizeBytes)
}

func (w *Writer) document(typ string, d time.Duration, size int64) error {
	e := w.event(typ)
	e.DurationMS, e.SizeBytes = d.Milliseconds(), size
	return w.write(e)
}

// Command writes a command event; name is normalized as the agent would.
func (w *Writer) Command(name, outcome string) error {
	e := w.event(Command)
	e.Name, e.Outcome = NormalizeCommand(name), outcome
	return w.write(e)
}

// SettingNumber writes a numeric setting.
func (w *Writer) SettingNumber(name string, v float64) error {
	e := w.event(Setting)
	e.Name, e.Value = name, v
	return w.write(e)
}

// SettingBool writes a boolean setting.
func (w *Writer) SettingBool(name string, v bool) error {
	e := w.event(Setting)
	e.Name, e.IsBool = name, true
	if v {
		e.Value = 1
	}
	return w.write(e)
}

// Objects writes the object counts of the open drawing.
func (w *Writer) Objects(counts map[string]int64) error {
	e := w.event(Objects)
	e.Counts = counts
	return w.write(e)
}

// View writes a view change such as ("3d", "orbit").
func (w *Writer) View(view, change string) error {
	e := w.event(View)
	e.View, e.Change = view, change
	return w.write(e)
}

func (w *Writer) event(typ string) Event {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	return Event{TS: now(), Product: w.product, Version: w.version, Session: w.session, Type: typ}
}

func (w *Writer) write(e Event) error {
	line, err := e.Line()
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if _, err := w.san.Sanitize(line[:len(line)-1]); err != nil {
		return fmt.Errorf("journal: %s event would be rejected: %w", e.Type, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	// The file is opened for each line: the agent removes a journal idle
	// for a day, and a line written through a handle kept from before would
	// go to the removed file. One write per line: with O_APPEND a reader
	// never sees half of it followed by another line.
	f, err := w.open()
	if err != nil {
		return err
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("journal: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}
