// Package revitjournal turns the journals Revit writes of every session
// (journal.NNNN.txt) into journal events of product Revit. Only
// identifiers and numbers leave a journal: every event is rebuilt as a
// spool line and passed through the journal's own sanitizer, so the
// usernames, paths, server names and dialog texts a journal is full of
// cannot reach storage.
package revitjournal

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"regexp"
	"strconv"
	"time"

	"teamlens/shared/journal"
)

// Product is the catalog product a Revit journal's events belong to.
const Product = "Revit"

var (
	// 'C (clock), 'E (event) and 'H (history) lines carry Revit's local
	// wall-clock time.
	stamp   = regexp.MustCompile(`^\s*'[CEH] (\d{2}-[A-Za-z]{3}-\d{4} \d{2}:\d{2}:\d{2}\.\d{3});`)
	release = regexp.MustCompile(`^\s*' 0:< Autodesk Revit (20\d\d)\s*$`)
	command = regexp.MustCompile(`^\s*Jrn\.Command "[^"]*" , ".*, (ID_[A-Za-z0-9_]+)"\s*$`)
	// The document's name comes on the line after Jrn.Data "File Name" _
	// (or "MRUFileName"): `, "IDOK", "path"` or `, "path"`.
	fileData = regexp.MustCompile(`^\s*Jrn\.Data "(?:File Name|MRUFileName)"\s+_\s*$`)
	fileArg  = regexp.MustCompile(`^\s*,\s*(?:"(IDOK|IDCANCEL)"\s*,\s*)?"([^"]*)"\s*$`)
	// Revit's timing of the open itself: `'  6.150481-- 1:<<[Cloud]standardOpenDocumentFile`.
	openTimed = regexp.MustCompile(`^\s*'\s+(\d+\.\d+)[-!]*\s+\d+:<+\[Cloud\]standardOpenDocumentFile`)
	// The size Revit logs of the file it read, when the file itself
	// cannot be read: `COMMON.FILE_INPUT.FILE_TYPE: .rvt 016474112.000000`.
	inputSize = regexp.MustCompile(`COMMON\.FILE_INPUT\.FILE_TYPE: \.[A-Za-z]+ (\d+)(?:\.\d+)?\s*$`)
)

// Document commands: the open and save commands of Revit's file menu, the
// start page and the recent-files list.
var (
	openCommands = map[string]bool{"ID_REVIT_FILE_OPEN": true, "ID_FAMILY_OPEN": true, "ID_FILE_MRU_FIRST": true,
		"ID_FILE_MRU_SECOND": true, "ID_FILE_MRU_THIRD": true, "ID_FILE_MRU_FOURTH": true, "ID_FILE_MRU_FIFTH": true,
		"ID_FILE_MRU_SIXTH": true, "ID_FILE_MRU_SEVENTH": true, "ID_FILE_MRU_EIGHTH": true, "ID_FILE_MRU_NINTH": true,
		"ID_FILE_MRU_TENTH": true, "ID_APPMENU_PROJECT_OPEN": true, "ID_IMPORT_IFC": true}
	saveCommands = map[string]bool{"ID_REVIT_FILE_SAVE": true, "ID_FILE_SAVE_TO_MASTER": true,
		"ID_FILE_SAVE_TO_CENTRAL": true, "ID_FILE_SAVE_TO_MASTER_SHORTCUT": true}
	saveAsCommands = map[string]bool{"ID_REVIT_FILE_SAVE_AS": true, "ID_REVIT_SAVE_AS": true, "ID_REVIT_SAVE_AS_FAMILY": true}
)

const timeLayout = "02-Jan-2006 15:04:05.000"

// Parser follows one journal line by line; its state after a prefix of
// the file depends on that prefix only, so a reader that stopped at an
// offset rebuilds it by feeding the same prefix again.
type Parser struct {
	Session   string // opaque session id, chosen by the caller (never the path)
	Sanitizer journal.Sanitizer
	// Loc is the zone Revit wrote its wall-clock times in: the
	// workstation's own (default time.Local).
	Loc *time.Location
	// Size returns the size of a document Revit opened or saved, while
	// its path is in memory; the path is never kept past the document.
	// Nil (as when a prefix is fed again) reads no file.
	Size func(path string) (int64, bool)

	version string
	last    time.Time
	started bool
	ended   bool
	ready   bool
	emitted bool            // session.start is out
	pending []journal.Event // events waiting for the session start
	startAt time.Time

	doc      string // the active document's path: in memory only
	op       *docOp
	wantFile bool // the next line names the document
}

// docOp is an open or save under way.
type docOp struct {
	typ     string
	at      time.Time
	path    string
	logged  int64 // the size Revit logged, if any
	timedMS int64 // Revit's own timing of the open, if any
}

// Feed reads one line (without its newline) and returns the events it
// completes; lines whose events fail the sanitizer are dropped and
// counted in rejects by reason.
func (p *Parser) Feed(line []byte, rejects map[string]int) []journal.Event {
	if p.ended {
		return nil // nothing follows the end of a session
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	stamped := false
	// Cheap tests before each expression: most lines match none.
	if m := matchIf(line, "'", stamp); m != nil {
		if t, err := time.ParseInLocation(timeLayout, string(m[1]), p.loc()); err == nil {
			p.last, stamped = t, true
		}
	}
	var out []journal.Event
	if p.wantFile {
		p.wantFile = false
		if m := fileArg.FindSubmatch(line); m != nil && p.op != nil {
			if string(m[1]) == "IDCANCEL" {
				p.op = nil
			} else {
				p.op.path = string(m[2])
			}
			return nil
		}
	}
	switch {
	case bytes.Contains(line, []byte("started recording journal file")) && !p.started:
		p.started, p.startAt = true, p.last
	case p.version == "" && bytes.Contains(line, []byte("Autodesk Revit")) && release.Match(line):
		p.version = string(release.FindSubmatch(line)[1])
	case bytes.Contains(line, []byte("finished recording journal file")) && p.started && !p.ended:
		out = p.finish(p.last, rejects)
	case bytes.Contains(line, []byte("Jrn.Data")) && fileData.Match(line):
		p.wantFile = true
	default:
		if m := matchIf(line, "Jrn.Command", command); m != nil && p.started {
			id := string(m[1])
			switch {
			case openCommands[id]:
				p.op = &docOp{typ: journal.DocumentOpen, at: p.last}
			case saveCommands[id]:
				p.op = &docOp{typ: journal.DocumentSave, at: p.last, path: p.doc}
			case saveAsCommands[id]:
				p.op = &docOp{typ: journal.DocumentSave, at: p.last}
			}
			out = append(out, p.emit(journal.Event{TS: p.last, Type: journal.Command, Name: id, Outcome: "completed"}, rejects)...)
			break
		}
		if p.op != nil {
			if m := matchIf(line, "standardOpenDocumentFile", openTimed); m != nil && p.op.typ == journal.DocumentOpen {
				if s, err := strconv.ParseFloat(string(m[1]), 64); err == nil {
					p.op.timedMS = int64(math.Round(s * 1000))
				}
			}
			if m := matchIf(line, "FILE_INPUT", inputSize); m != nil {
				p.op.logged, _ = strconv.ParseInt(string(m[1]), 10, 64)
			}
		}
		if stamped && idle(line) {
			if !p.ready && p.started {
				p.ready = true
				ms := p.last.Sub(p.startAt).Milliseconds()
				out = append(out, p.start(&ms, rejects)...)
			}
			if p.op != nil {
				out = append(out, p.docDone(rejects)...)
			}
		}
	}
	return out
}

// matchIf runs re on line only when line holds sub.
func matchIf(line []byte, sub string, re *regexp.Regexp) [][]byte {
	if !bytes.Contains(line, []byte(sub)) {
		return nil
	}
	return re.FindSubmatch(line)
}

// idle says Revit is waiting for the user: the application is ready
// ("appPriv idle") or a document is ("idle0_doc").
func idle(line []byte) bool {
	return bytes.Contains(line, []byte("appPriv idle")) || bytes.Contains(line, []byte("idle0_doc"))
}

// docDone ends the open or save under way at the current time.
func (p *Parser) docDone(rejects map[string]int) []journal.Event {
	op := p.op
	p.op = nil
	ms := op.timedMS
	if ms <= 0 {
		ms = p.last.Sub(op.at).Milliseconds()
	}
	if ms < 0 || (op.typ == journal.DocumentOpen && op.path == "" && op.timedMS == 0 && op.logged == 0) {
		return nil // an open that opened nothing (canceled)
	}
	if op.path != "" {
		p.doc = op.path
	}
	size := op.logged
	if op.path != "" && p.Size != nil {
		if n, ok := p.Size(op.path); ok {
			size = n
		}
	}
	return p.emit(journal.Event{TS: p.last, Type: op.typ, DurationMS: ms, SizeBytes: size}, rejects)
}

// finish ends the session at t: what the journal said last, or when
// Revit's process was last seen.
func (p *Parser) finish(t time.Time, rejects map[string]int) []journal.Event {
	if !p.started || p.ended {
		return nil
	}
	out := p.start(nil, rejects)
	p.ended, p.doc, p.op = true, "", nil
	if t.Before(p.last) {
		t = p.last
	}
	return append(out, p.event(journal.Event{TS: t, Type: journal.SessionEnd}, rejects)...)
}

// End ends a session whose journal stopped without saying so (Revit's
// process is gone) at t, or at the journal's last time when that is later.
func (p *Parser) End(t time.Time, rejects map[string]int) []journal.Event {
	return p.finish(t, rejects)
}

// start emits session.start (once) and what waited for it.
func (p *Parser) start(startupMS *int64, rejects map[string]int) []journal.Event {
	if p.emitted || !p.started {
		return nil
	}
	if p.version == "" {
		p.version = "unknown"
	}
	p.emitted = true
	out := p.event(journal.Event{TS: p.startAt, Type: journal.SessionStart, StartupMS: startupMS}, rejects)
	for _, e := range p.pending {
		out = append(out, p.event(e, rejects)...)
	}
	p.pending = nil
	return out
}

// Ended reports whether the session ended (the journal said so, or End).
func (p *Parser) Ended() bool { return p.ended }

// Started reports whether the journal recorded its start.
func (p *Parser) Started() bool { return p.started }

// StartedAt is when the journal started, in its zone.
func (p *Parser) StartedAt() time.Time { return p.startAt }

// Last is the time of the journal's latest timestamp.
func (p *Parser) Last() time.Time { return p.last }

// Version is the release the journal named so far ("" before it did).
func (p *Parser) Version() string { return p.version }

func (p *Parser) loc() *time.Location {
	if p.Loc == nil {
		return time.Local
	}
	return p.Loc
}

func (p *Parser) emit(e journal.Event, rejects map[string]int) []journal.Event {
	if !p.emitted {
		p.pending = append(p.pending, e)
		return nil
	}
	return p.event(e, rejects)
}

// event rebuilds e as a spool line and sanitizes it like any other line.
func (p *Parser) event(e journal.Event, rejects map[string]int) []journal.Event {
	e.Product, e.Version, e.Session = Product, p.version, p.Session
	e.TS = e.TS.UTC()
	line, err := e.Line()
	if err == nil {
		var s journal.Event
		if s, err = p.Sanitizer.Sanitize(bytes.TrimSuffix(line, []byte("\n"))); err == nil {
			return []journal.Event{s}
		}
	}
	reason := journal.ReasonInvalidJSON
	if rej, ok := err.(*journal.RejectError); ok {
		reason = rej.Reason
	}
	rejects[reason]++
	return nil
}

// ReadAll parses a whole journal.
func ReadAll(r io.Reader, p *Parser, rejects map[string]int) ([]journal.Event, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []journal.Event
	for sc.Scan() {
		out = append(out, p.Feed(sc.Bytes(), rejects)...)
	}
	return out, sc.Err()
}
