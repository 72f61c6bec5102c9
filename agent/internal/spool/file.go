package spool

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"teamlens/agent/internal/fileid"
	"teamlens/agent/internal/ingest"
	"teamlens/shared/journal"
)

// maxBatchFiles bounds the files of one batch: one-line (or empty) files
// would otherwise each take a turn's whole line budget in opens.
const maxBatchFiles = 500

// errOtherOwner says a file changed owner between the scan and the read:
// it goes into a batch of its own.
var errOtherOwner = errors.New("file of another owner")

// round gives every owner with work one batch. It reports whether any
// batch failed (those files are retried later).
func (r *Reader) round(ctx context.Context) (failed bool) {
	for _, uid := range r.work.turns() {
		if ctx.Err() != nil {
			return false
		}
		if !r.batch(ctx, uid) {
			failed = true
		}
	}
	return failed
}

// batch reads up to a turn's budget of one owner's queued files and
// commits them together. False when the commit failed.
func (r *Reader) batch(ctx context.Context, uid uint32) bool {
	// The events buffer is reused batch after batch: at 2,000 lines a
	// batch it was the agent's largest allocation.
	b := ingest.Batch{Rejects: map[string]int{}, Events: r.events[:0]}
	defer func() { r.events = b.Events[:0] }()
	var done []entry
	var paths []string
	lines := 0
	for n := 0; n < maxBatchFiles && lines < r.BatchLines; n++ {
		path, ok := r.work.pop(uid)
		if !ok {
			break
		}
		read, e, more, err := r.readInto(ctx, path, &b, r.BatchLines-lines)
		switch {
		case errors.Is(err, errOtherOwner):
			r.work.push(path, e.uid)
			continue
		case err != nil:
			r.Log.Error("spool read", "file", path, "err", err)
			r.work.later(path, uid)
			continue
		}
		lines += read
		if more {
			r.work.push(path, uid)
		}
		paths, done = append(paths, path), append(done, e)
	}
	if len(b.Files) > 0 {
		if _, err := (ingest.Pipeline{Repo: r.Store}).Commit(ctx, b); err != nil {
			r.Log.Error("spool read", "files", len(b.Files), "err", err)
			for _, p := range b.Files {
				r.work.later(p.Path, uid)
			}
			return false
		}
	}
	for i, path := range paths {
		if !r.work.queued[path] {
			r.seen[path] = done[i]
		}
	}
	return true
}

// readInto appends to b the complete lines of path past its stored
// position, at most budget of them, with the new position. It returns the
// lines read, the file as read, and whether lines are left.
func (r *Reader) readInto(ctx context.Context, path string, b *ingest.Batch, budget int) (int, entry, bool, error) {
	f, info, err := r.files.Open(path)
	if err != nil {
		e, ok := lstat(path)
		if ok && !errors.Is(err, fs.ErrNotExist) {
			r.setAside(path, e, err.Error())
		}
		return 0, e, false, nil
	}
	defer f.Close()
	e := entry{dev: info.Dev, ino: info.Ino, size: info.Size, mtime: info.ModTime, regular: true}
	if fi, err := f.Stat(); err == nil {
		e.mode = fi.Mode()
		if le, ok := lstat(path); ok {
			e.uid = le.uid
		}
	}
	if b.User != "" && b.User != info.User {
		return 0, e, false, errOtherOwner
	}
	st, found, err := r.Store.File(ctx, path)
	if err != nil {
		return 0, e, false, err
	}
	st, restarted := ingest.Resume(st, found, path, info)
	if restarted {
		r.Log.Warn("spool file replaced or truncated; reading it from the start", "file", path)
	}
	e.ended = st.Ended
	if st.Offset == info.Size {
		return 0, e, false, r.maybeRemove(ctx, path, st, info)
	}
	if info.Size-st.Offset > r.MaxFileBytes {
		r.setAside(path, e, fmt.Sprintf("over the size cap of %d bytes", r.MaxFileBytes))
		return 0, e, false, nil
	}
	if _, err := f.Seek(st.Offset, io.SeekStart); err != nil {
		return 0, e, false, err
	}
	b.User = info.User
	start := st.Offset
	lines, more, err := r.readLines(f, &st, b, budget)
	if err != nil {
		return 0, e, false, err
	}
	e.ended = st.Ended
	if st.Offset != start {
		st.Updated = r.Now()
		b.Files = append(b.Files, st)
	}
	return lines, e, more, nil
}

// readLines reads complete lines from f into b, advancing st.
func (r *Reader) readLines(f *os.File, st *ingest.Position, b *ingest.Batch, budget int) (int, bool, error) {
	if r.br == nil {
		r.br = bufio.NewReaderSize(f, journal.MaxLine+2)
	}
	br := r.br
	br.Reset(f)
	defer br.Reset(nil)
	lines := 0
	for lines < budget {
		chunk, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			// Longer than any acceptable line: skip to its end.
			st.Offset += int64(len(chunk))
			st.Skipping = true
			continue
		case errors.Is(err, io.EOF):
			// A partial last line waits for its newline (unless it is
			// already known to be too long, then its bytes are skipped).
			if st.Skipping {
				st.Offset += int64(len(chunk))
			}
			return lines, false, nil
		case err != nil:
			return lines, false, err
		}
		st.Offset += int64(len(chunk))
		st.Line++
		lines++
		if st.Skipping {
			st.Skipping = false
			r.rejected(b, st.Path, st.Line, &journal.RejectError{Reason: journal.ReasonTooLong})
		} else if line := chunk[:len(chunk)-1]; len(bytes.TrimSpace(line)) > 0 {
			r.sanitized(b, st, line)
		}
	}
	return lines, true, nil
}

func (r *Reader) sanitized(b *ingest.Batch, st *ingest.Position, line []byte) {
	e, err := r.Sanitizer.Sanitize(line)
	if err != nil {
		r.rejected(b, st.Path, st.Line, err)
		return
	}
	b.Events = append(b.Events, e)
	if e.Type == journal.SessionEnd {
		st.Ended = true
	}
}

// rejected counts a rejected line and logs its reason and place, never its
// content.
func (r *Reader) rejected(b *ingest.Batch, path string, line int64, err error) {
	reason := journal.ReasonInvalidJSON
	var rej *journal.RejectError
	if errors.As(err, &rej) {
		reason = rej.Reason
	}
	b.Rejects[reason]++
	r.Log.Warn("journal line rejected", "file", path, "line", line, "reason", err.Error())
}

// maybeRemove deletes a fully read file whose session ended or that has
// been idle long enough; the position goes after the file, never before.
func (r *Reader) maybeRemove(ctx context.Context, path string, st ingest.Position, info fileid.Info) error {
	if !r.removable(entry{mtime: info.ModTime, ended: st.Ended}) {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	r.Log.Debug("spool file read and finished; removed", "file", path)
	delete(r.seen, path)
	return r.Store.RemoveFile(ctx, path)
}
