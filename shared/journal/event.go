package journal

import (
	"encoding/json"
	"strconv"
	"time"
)

// Event types of the journal (contract).
const (
	SessionStart = "session.start"
	SessionEnd   = "session.end"
	DocumentOpen = "document.open"
	DocumentSave = "document.save"
	Command      = "command"
	Setting      = "setting"
	Objects      = "objects"
	View         = "view"
)

// Command outcomes (contract).
var Outcomes = []string{"started", "completed", "canceled", "undone"}

// Schema is the only journal line version this package reads and writes.
const Schema = 1

// Event is one sanitized journal event. Only the fields of its Type are set.
type Event struct {
	TS      time.Time
	Product string
	Version string
	Session string
	Type    string

	StartupMS  *int64           // session.start, optional
	DurationMS int64            // document.open, document.save
	SizeBytes  int64            // document.open, document.save
	Name       string           // command (normalized), setting
	Outcome    string           // command
	Value      float64          // setting; a boolean is stored as 0 or 1
	IsBool     bool             // setting: Value came from a boolean
	Counts     map[string]int64 // objects
	View       string           // view
	Change     string           // view

	// tsText is the timestamp as the line wrote it (validated RFC 3339),
	// kept so the stored event shows it unchanged.
	tsText string
}

// IsSeatUsage reports whether the event is seat usage (session start and
// end); every other event is analytics and needs the user's consent.
func (e *Event) IsSeatUsage() bool {
	return e.Type == SessionStart || e.Type == SessionEnd
}

// StripAnalytics removes the analytics a seat-usage event may carry (the
// startup time), for users who have not opted in.
func (e *Event) StripAnalytics() { e.StartupMS = nil }

// SettingValue returns the setting's value as it appeared: a bool or a number.
func (e *Event) SettingValue() any {
	if e.IsBool {
		return e.Value != 0
	}
	return e.Value
}

// MarshalJSON writes the event in the journal's own shape, with only the
// fields its type allows.
func (e Event) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 160)
	b = append(b, `{"ts":`...)
	ts := e.tsText
	if ts == "" {
		ts = e.TS.Format(time.RFC3339Nano)
	}
	b = strconv.AppendQuote(b, ts)
	for _, kv := range [][2]string{{"product", e.Product}, {"version", e.Version}, {"session", e.Session}, {"type", e.Type}} {
		b = appendField(b, kv[0])
		b = strconv.AppendQuote(b, kv[1])
	}
	switch e.Type {
	case SessionStart:
		if e.StartupMS != nil {
			b = strconv.AppendInt(appendField(b, "startup_ms"), *e.StartupMS, 10)
		}
	case DocumentOpen, DocumentSave:
		b = strconv.AppendInt(appendField(b, "duration_ms"), e.DurationMS, 10)
		b = strconv.AppendInt(appendField(b, "size_bytes"), e.SizeBytes, 10)
	case Command:
		b = strconv.AppendQuote(appendField(b, "name"), e.Name)
		b = strconv.AppendQuote(appendField(b, "outcome"), e.Outcome)
	case Setting:
		b = strconv.AppendQuote(appendField(b, "name"), e.Name)
		v, err := json.Marshal(e.SettingValue())
		if err != nil {
			return nil, err
		}
		b = append(appendField(b, "value"), v...)
	case Objects:
		c, err := json.Marshal(e.Counts)
		if err != nil {
			return nil, err
		}
		b = append(appendField(b, "counts"), c...)
	case View:
		b = strconv.AppendQuote(appendField(b, "view"), e.View)
		b = strconv.AppendQuote(appendField(b, "change"), e.Change)
	}
	return append(b, '}'), nil
}

// Line returns the event as a journal line, with the schema version and a
// trailing newline, ready to append to a spool file.
func (e Event) Line() ([]byte, error) {
	b, err := e.MarshalJSON()
	if err != nil {
		return nil, err
	}
	line := append([]byte(`{"v":1,`), b[1:]...)
	return append(line, '\n'), nil
}

func appendField(b []byte, name string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	return append(b, '"', ':')
}
