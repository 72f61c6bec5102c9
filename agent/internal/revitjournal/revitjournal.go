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
	"regexp"
	"time"

	"teamlens/shared/journal"
)

// Product is the catalog product a Revit journal's events belong to.
const Product = "Revit"

var (
	stamp   = regexp.MustCompile(`^'[CH] (\d{2}-[A-Za-z]{3}-\d{4} \d{2}:\d{2}:\d{2}\.\d{3});`)
	release = regexp.MustCompile(`^' 0:< Autodesk Revit (20\d\d)\s*$`)
	command = regexp.MustCompile(`^\s*Jrn\.Command "[^"]*" , ".*, (ID_[A-Za-z0-9_]+)"\s*$`)
)

// Parser follows one journal line by line; its state after a prefix of
// the file depends on that prefix only, so a reader that stopped at an
// offset rebuilds it by feeding the same prefix again.
type Parser struct {
	Session   string // opaque session id, chosen by the caller (never the path)
	Sanitizer journal.Sanitizer

	version string
	last    time.Time
	started bool
	ended   bool
	pending []journal.Event // events waiting for the version
	startAt time.Time
	ready   bool
}

// Feed reads one line (without its newline) and returns the events it
// completes; lines whose events fail the sanitizer are dropped and
// counted in rejects by reason.
func (p *Parser) Feed(line []byte, rejects map[string]int) []journal.Event {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if m := stamp.FindSubmatch(line); m != nil {
		if t, err := time.Parse("02-Jan-2006 15:04:05.000", string(m[1])); err == nil {
			p.last = t
		}
	}
	var out []journal.Event
	switch {
	case bytes.Contains(line, []byte("started recording journal file")) && !p.started:
		p.started, p.startAt = true, p.last
	case p.version == "" && release.Match(line):
		p.version = string(release.FindSubmatch(line)[1])
		if p.started {
			out = append(out, p.event(journal.Event{TS: p.startAt, Type: journal.SessionStart}, rejects)...)
		}
		for _, e := range p.pending {
			out = append(out, p.event(e, rejects)...)
		}
		p.pending = nil
	case bytes.Contains(line, []byte("finished recording journal file")) && p.started && !p.ended:
		p.ended = true
		out = append(out, p.emit(journal.Event{TS: p.last, Type: journal.SessionEnd}, rejects)...)
	default:
		if m := command.FindSubmatch(line); m != nil && p.started {
			out = append(out, p.emit(journal.Event{TS: p.last, Type: journal.Command, Name: string(m[1]), Outcome: "completed"}, rejects)...)
		}
	}
	return out
}

// Ended reports whether the journal recorded its end.
func (p *Parser) Ended() bool { return p.ended }

// Last is the time of the journal's latest timestamp.
func (p *Parser) Last() time.Time { return p.last }

func (p *Parser) emit(e journal.Event, rejects map[string]int) []journal.Event {
	if p.version == "" {
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
