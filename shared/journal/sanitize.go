package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"teamlens/shared/catalog"
)

// MaxLine is the longest journal line accepted, without its newline.
const MaxLine = 64 << 10

// Reasons a line is rejected; they are the keys of the reject counters.
const (
	ReasonTooLong       = "too_long"
	ReasonInvalidUTF8   = "invalid_utf8"
	ReasonInvalidJSON   = "invalid_json"
	ReasonSchema        = "bad_schema_version"
	ReasonTimestamp     = "bad_timestamp"
	ReasonTimeRange     = "ts_out_of_range"
	ReasonProduct       = "unknown_product"
	ReasonVersion       = "bad_version"
	ReasonIdentifier    = "bad_identifier"
	ReasonUnknownType   = "unknown_type"
	ReasonMissingField  = "missing_field"
	ReasonBadValue      = "bad_value"
	ReasonSettingValue  = "bad_setting_value"
	ReasonBadOutcome    = "bad_outcome"
	ReasonNegativeValue = "negative_value"
	ReasonOutOfRange    = "out_of_range"
)

// RejectError says why a line was rejected. It names the field, never the
// value: a log of it cannot leak what the line held.
type RejectError struct {
	Reason string
	Field  string
}

func (e *RejectError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return fmt.Sprintf("%s (field %q)", e.Reason, e.Field)
}

func reject(reason, field string) error { return &RejectError{Reason: reason, Field: field} }

// Sanitizer turns raw journal lines into events, letting through only the
// types, fields and identifiers of the contract. Safe for concurrent use.
type Sanitizer struct {
	Catalog *catalog.Catalog
	// Now, when set, bounds timestamps to [Now()-MaxAge, Now()+MaxAhead]:
	// the work one line causes (the days a session reaches) then stays
	// bounded whatever the line claims.
	Now              func() time.Time
	MaxAge, MaxAhead time.Duration
}

// Sanitize parses one journal line (without its newline). Any error is a
// *RejectError.
func (s Sanitizer) Sanitize(line []byte) (Event, error) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(line) > MaxLine {
		return Event{}, reject(ReasonTooLong, "")
	}
	if !utf8.Valid(line) {
		return Event{}, reject(ReasonInvalidUTF8, "")
	}
	var f rawLine
	if !f.parse(line) {
		return Event{}, reject(ReasonInvalidJSON, "")
	}
	var v int64
	if err := intField(f.V, "v", &v, true); err != nil || v != Schema {
		return Event{}, reject(ReasonSchema, "v")
	}
	var e Event
	var ts string
	if err := str(f.TS, "ts", &ts); err != nil {
		return Event{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return Event{}, reject(ReasonTimestamp, "ts")
	}
	if s.Now != nil {
		if now := s.Now(); t.Before(now.Add(-s.MaxAge)) || t.After(now.Add(s.MaxAhead)) {
			return Event{}, reject(ReasonTimeRange, "ts")
		}
	}
	e.TS, e.tsText = t, ts
	var product string
	if err := str(f.Product, "product", &product); err != nil {
		return Event{}, err
	}
	p, ok := s.catalog().Lookup(product)
	if !ok {
		return Event{}, reject(ReasonProduct, "product")
	}
	e.Product = p.Name
	if err := str(f.Version, "version", &e.Version); err != nil {
		return Event{}, err
	}
	if !ValidVersion(e.Version) {
		return Event{}, reject(ReasonVersion, "version")
	}
	if err := ident(f.Session, "session", &e.Session); err != nil {
		return Event{}, err
	}
	if err := str(f.Type, "type", &e.Type); err != nil {
		return Event{}, err
	}
	if err := typeFields(&f, &e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// rawLine holds the raw values of the only fields a line may carry; every
// other field is dropped unread.
type rawLine struct {
	V, TS, Product, Version, Session, Type     json.RawMessage
	StartupMS, DurationMS, SizeBytes           json.RawMessage
	Name, Outcome, Value, Counts, View, Change json.RawMessage
}

// parse splits a line that must be one JSON object into its top-level
// fields. It runs on every line, so rather than decoding by reflection it
// validates the line, then walks the object once; values stay raw until a
// field's own check reads them. A key is matched exactly, and a repeated
// key keeps its last value, as encoding/json does.
func (f *rawLine) parse(line []byte) bool {
	if len(line) == 0 || line[0] != '{' || !json.Valid(line) {
		return false
	}
	i := 1
	for {
		i = skipSpace(line, i)
		if line[i] == '}' {
			return true
		}
		if line[i] == ',' {
			i = skipSpace(line, i+1)
		}
		end := endOfValue(line, i)
		key := line[i+1 : end-1]
		i = skipSpace(line, end)
		i = skipSpace(line, i+1) // the colon
		end = endOfValue(line, i)
		if dst := f.field(key); dst != nil {
			*dst = line[i:end]
		}
		i = end
	}
}

func (f *rawLine) field(key []byte) *json.RawMessage {
	switch string(key) {
	case "v":
		return &f.V
	case "ts":
		return &f.TS
	case "product":
		return &f.Product
	case "version":
		return &f.Version
	case "session":
		return &f.Session
	case "type":
		return &f.Type
	case "startup_ms":
		return &f.StartupMS
	case "duration_ms":
		return &f.DurationMS
	case "size_bytes":
		return &f.SizeBytes
	case "name":
		return &f.Name
	case "outcome":
		return &f.Outcome
	case "value":
		return &f.Value
	case "counts":
		return &f.Counts
	case "view":
		return &f.View
	case "change":
		return &f.Change
	}
	return nil // an escaped or unknown key: dropped
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// endOfValue returns the index just past the JSON value starting at i of a
// line already known to be valid JSON.
func endOfValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of the enclosing object
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

func (s Sanitizer) catalog() *catalog.Catalog {
	if s.Catalog == nil {
		return catalog.Builtin()
	}
	return s.Catalog
}

func typeFields(f *rawLine, e *Event) error {
	switch e.Type {
	case SessionStart:
		if !absent(f.StartupMS) {
			var ms int64
			if err := bounded(f.StartupMS, "startup_ms", &ms, MaxTimeMS); err != nil {
				return err
			}
			e.StartupMS = &ms
		}
		return nil
	case SessionEnd:
		return nil
	case DocumentOpen, DocumentSave:
		if err := bounded(f.DurationMS, "duration_ms", &e.DurationMS, MaxTimeMS); err != nil {
			return err
		}
		return bounded(f.SizeBytes, "size_bytes", &e.SizeBytes, MaxDocBytes)
	case Command:
		var name string
		if err := str(f.Name, "name", &name); err != nil {
			return err
		}
		e.Name = NormalizeCommand(name)
		if !ValidIdentifier(e.Name) {
			return reject(ReasonIdentifier, "name")
		}
		if err := str(f.Outcome, "outcome", &e.Outcome); err != nil {
			return err
		}
		for _, o := range Outcomes {
			if e.Outcome == o {
				return nil
			}
		}
		return reject(ReasonBadOutcome, "outcome")
	case Setting:
		if err := ident(f.Name, "name", &e.Name); err != nil {
			return err
		}
		return settingValue(f.Value, e)
	case Objects:
		return counts(f.Counts, e)
	case View:
		if err := ident(f.View, "view", &e.View); err != nil {
			return err
		}
		return ident(f.Change, "change", &e.Change)
	}
	return reject(ReasonUnknownType, "type")
}

func absent(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// str reads a required JSON string.
func str(raw json.RawMessage, name string, dst *string) error {
	if absent(raw) {
		return reject(ReasonMissingField, name)
	}
	if raw[0] != '"' {
		return reject(ReasonBadValue, name)
	}
	// The line is valid JSON and UTF-8: a string without escapes is its
	// own bytes.
	if bytes.IndexByte(raw, '\\') < 0 {
		*dst = string(raw[1 : len(raw)-1])
		return nil
	}
	if json.Unmarshal(raw, dst) != nil {
		return reject(ReasonBadValue, name)
	}
	return nil
}

func ident(raw json.RawMessage, name string, dst *string) error {
	if err := str(raw, name, dst); err != nil {
		return err
	}
	if !ValidIdentifier(*dst) {
		return reject(ReasonIdentifier, name)
	}
	return nil
}

func intField(raw json.RawMessage, name string, dst *int64, required bool) error {
	if absent(raw) {
		if required {
			return reject(ReasonMissingField, name)
		}
		return nil
	}
	return parseInt(raw, name, dst)
}

// count reads a required non-negative integer.
func count(raw json.RawMessage, name string, dst *int64) error {
	if err := intField(raw, name, dst, true); err != nil {
		return err
	}
	if *dst < 0 {
		return reject(ReasonNegativeValue, name)
	}
	return nil
}

// Bounds of single values, the wire contract's: a line past them would make
// its whole day one the collector refuses, seat usage included.
const (
	MaxTimeMS      = 86_400_000 // a time measure is at most a day
	MaxDocBytes    = 1 << 40
	MaxObjectCount = 1_000_000_000
)

// bounded reads a count no larger than limit.
func bounded(raw json.RawMessage, name string, dst *int64, limit int64) error {
	if err := count(raw, name, dst); err != nil {
		return err
	}
	if *dst > limit {
		return reject(ReasonOutOfRange, name)
	}
	return nil
}

func settingValue(raw json.RawMessage, e *Event) error {
	if absent(raw) {
		return reject(ReasonMissingField, "value")
	}
	switch string(raw) {
	case "true", "false":
		e.IsBool = true
		if string(raw) == "true" {
			e.Value = 1
		}
		return nil
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return reject(ReasonSettingValue, "value")
	}
	if err := json.Unmarshal(raw, &e.Value); err != nil || math.IsInf(e.Value, 0) || math.IsNaN(e.Value) {
		return reject(ReasonSettingValue, "value")
	}
	return nil
}

func counts(raw json.RawMessage, e *Event) error {
	if absent(raw) {
		return reject(ReasonMissingField, "counts")
	}
	var m map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return reject(ReasonBadValue, "counts")
	}
	e.Counts = make(map[string]int64, len(m))
	for k, v := range m {
		if !ValidIdentifier(k) {
			return reject(ReasonIdentifier, "counts")
		}
		var n int64
		if err := parseInt(v, "counts", &n); err != nil {
			return err
		}
		if n < 0 {
			return reject(ReasonNegativeValue, "counts")
		}
		if n > MaxObjectCount {
			return reject(ReasonOutOfRange, "counts")
		}
		e.Counts[k] = n
	}
	return nil
}

func parseInt(raw json.RawMessage, name string, dst *int64) error {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return reject(ReasonBadValue, name)
	}
	// The line is valid JSON already: a number of digits alone is an
	// integer, read without encoding/json's second validation of it (the
	// "v" of every line took 5% of the agent's ingest).
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		*dst = n
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		// Accept integral floats such as 1200.0; reject fractions.
		var fl float64
		if json.Unmarshal(raw, &fl) != nil || fl != math.Trunc(fl) || math.Abs(fl) > 1<<53 {
			return reject(ReasonBadValue, name)
		}
		*dst = int64(fl)
	}
	return nil
}
