package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
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
	ReasonProduct       = "unknown_product"
	ReasonVersion       = "bad_version"
	ReasonIdentifier    = "bad_identifier"
	ReasonUnknownType   = "unknown_type"
	ReasonMissingField  = "missing_field"
	ReasonBadValue      = "bad_value"
	ReasonSettingValue  = "bad_setting_value"
	ReasonBadOutcome    = "bad_outcome"
	ReasonNegativeValue = "negative_value"
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
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil || raw == nil {
		return Event{}, reject(ReasonInvalidJSON, "")
	}
	f := fields(raw)
	var v int64
	if err := f.int("v", &v, true); err != nil || v != Schema {
		return Event{}, reject(ReasonSchema, "v")
	}
	var e Event
	var ts string
	if err := f.str("ts", &ts, true); err != nil {
		return Event{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return Event{}, reject(ReasonTimestamp, "ts")
	}
	e.TS = t
	var product string
	if err := f.str("product", &product, true); err != nil {
		return Event{}, err
	}
	p, ok := s.catalog().Lookup(product)
	if !ok {
		return Event{}, reject(ReasonProduct, "product")
	}
	e.Product = p.Name
	if err := f.str("version", &e.Version, true); err != nil {
		return Event{}, err
	}
	if !ValidVersion(e.Version) {
		return Event{}, reject(ReasonVersion, "version")
	}
	if err := f.ident("session", &e.Session); err != nil {
		return Event{}, err
	}
	if err := f.str("type", &e.Type, true); err != nil {
		return Event{}, err
	}
	if err := s.typeFields(f, &e); err != nil {
		return Event{}, err
	}
	return e, nil
}

func (s Sanitizer) catalog() *catalog.Catalog {
	if s.Catalog == nil {
		return catalog.Builtin()
	}
	return s.Catalog
}

func (s Sanitizer) typeFields(f fields, e *Event) error {
	switch e.Type {
	case SessionStart:
		if _, ok := f["startup_ms"]; ok {
			var ms int64
			if err := f.count("startup_ms", &ms); err != nil {
				return err
			}
			e.StartupMS = &ms
		}
		return nil
	case SessionEnd:
		return nil
	case DocumentOpen, DocumentSave:
		if err := f.count("duration_ms", &e.DurationMS); err != nil {
			return err
		}
		return f.count("size_bytes", &e.SizeBytes)
	case Command:
		var name string
		if err := f.str("name", &name, true); err != nil {
			return err
		}
		e.Name = NormalizeCommand(name)
		if !ValidIdentifier(e.Name) {
			return reject(ReasonIdentifier, "name")
		}
		if err := f.str("outcome", &e.Outcome, true); err != nil {
			return err
		}
		for _, o := range Outcomes {
			if e.Outcome == o {
				return nil
			}
		}
		return reject(ReasonBadOutcome, "outcome")
	case Setting:
		if err := f.ident("name", &e.Name); err != nil {
			return err
		}
		return f.settingValue(e)
	case Objects:
		return f.counts(e)
	case View:
		if err := f.ident("view", &e.View); err != nil {
			return err
		}
		return f.ident("change", &e.Change)
	}
	return reject(ReasonUnknownType, "type")
}

// fields reads the allowed fields of a line; anything it is not asked for
// is dropped unread.
type fields map[string]json.RawMessage

func (f fields) str(name string, dst *string, required bool) error {
	raw, ok := f[name]
	if !ok || string(raw) == "null" {
		if required {
			return reject(ReasonMissingField, name)
		}
		return nil
	}
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, dst) != nil {
		return reject(ReasonBadValue, name)
	}
	return nil
}

func (f fields) ident(name string, dst *string) error {
	if err := f.str(name, dst, true); err != nil {
		return err
	}
	if !ValidIdentifier(*dst) {
		return reject(ReasonIdentifier, name)
	}
	return nil
}

func (f fields) int(name string, dst *int64, required bool) error {
	raw, ok := f[name]
	if !ok || string(raw) == "null" {
		if required {
			return reject(ReasonMissingField, name)
		}
		return nil
	}
	return parseInt(raw, name, dst)
}

// count reads a required non-negative integer.
func (f fields) count(name string, dst *int64) error {
	if err := f.int(name, dst, true); err != nil {
		return err
	}
	if *dst < 0 {
		return reject(ReasonNegativeValue, name)
	}
	return nil
}

func (f fields) settingValue(e *Event) error {
	raw, ok := f["value"]
	if !ok || string(raw) == "null" {
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

func (f fields) counts(e *Event) error {
	raw, ok := f["counts"]
	if !ok || string(raw) == "null" {
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
		e.Counts[k] = n
	}
	return nil
}

func parseInt(raw json.RawMessage, name string, dst *int64) error {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return reject(ReasonBadValue, name)
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
