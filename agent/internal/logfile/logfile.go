// Package logfile is the agent's own log file where no service manager
// keeps its output (the Windows service): a file that is rotated by size,
// agent.log → agent.log.1 → ... → agent.log.N, so it never fills the disk,
// and a slog handler that also hands error records to the OS event log.
package logfile

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
)

// File is an append-only log file rotated once a write would take it past
// MaxBytes. Safe for concurrent use.
type File struct {
	path     string
	maxBytes int64
	keep     int

	mu   sync.Mutex
	f    *os.File
	size int64
}

// Defaults: 10 MiB per file, three old files kept.
const (
	DefaultMaxBytes = 10 << 20
	DefaultKeep     = 3
)

// Open opens (or creates, mode 0600) the log at path; maxBytes and keep
// of 0 are the defaults.
func Open(path string, maxBytes int64, keep int) (*File, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if keep <= 0 {
		keep = DefaultKeep
	}
	l := &File{path: path, maxBytes: maxBytes, keep: keep}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *File) open() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("log file: %w", err)
	}
	l.f, l.size = f, fi.Size()
	return nil
}

// Write appends p, rotating first when p would not fit. A record larger
// than MaxBytes is written whole into a file of its own.
func (l *File) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, os.ErrClosed
	}
	if l.size > 0 && l.size+int64(len(p)) > l.maxBytes {
		if err := l.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

// rotate shifts the old files up by one, dropping the oldest, and starts
// an empty log.
func (l *File) rotate() error {
	if err := l.f.Close(); err != nil {
		return err
	}
	l.f = nil
	_ = os.Remove(l.old(l.keep))
	for i := l.keep - 1; i >= 1; i-- {
		if err := os.Rename(l.old(i), l.old(i+1)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if err := os.Rename(l.path, l.old(1)); err != nil {
		return err
	}
	return l.open()
}

func (l *File) old(i int) string { return l.path + "." + strconv.Itoa(i) }

// Close closes the file.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// ErrorsTo returns a handler that passes every record to next and, for
// records at slog.LevelError and above, also the record's message and
// attributes, as text, to sink (the Windows event log). A sink that fails
// loses nothing in next.
func ErrorsTo(next slog.Handler, sink func(msg string) error) slog.Handler {
	return &teeHandler{next: next, sink: sink}
}

type teeHandler struct {
	next  slog.Handler
	sink  func(string) error
	attrs []slog.Attr
	group string
}

func (h *teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l) || l >= slog.LevelError
}

func (h *teeHandler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if h.next.Enabled(ctx, r.Level) {
		err = h.next.Handle(ctx, r)
	}
	if r.Level >= slog.LevelError {
		msg := r.Message
		for _, a := range h.attrs {
			msg += " " + a.Key + "=" + a.Value.String()
		}
		r.Attrs(func(a slog.Attr) bool {
			msg += " " + h.qualify(a.Key) + "=" + a.Value.String()
			return true
		})
		_ = h.sink(msg)
	}
	return err
}

// qualify prefixes key with the open groups, as the text handler does.
func (h *teeHandler) qualify(key string) string {
	if h.group == "" {
		return key
	}
	return h.group + "." + key
}

func (h *teeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.next = h.next.WithAttrs(attrs)
	c.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range attrs {
		c.attrs = append(c.attrs, slog.Attr{Key: h.qualify(a.Key), Value: a.Value})
	}
	return &c
}

func (h *teeHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}
