package journal_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"teamlens/shared/journal"
)

const base = `"v":1,"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1"`

func line(fields string) []byte { return []byte("{" + base + "," + fields + "}") }

func TestSanitizeAccepts(t *testing.T) {
	san := journal.Sanitizer{}
	tests := []struct {
		name string
		in   []byte
		want string // the stored event, in the journal's shape
	}{
		{"session start", line(`"type":"session.start","startup_ms":3100`),
			`{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"session.start","startup_ms":3100}`},
		{"session start without startup", line(`"type":"session.start"`),
			`{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"session.start"}`},
		{"command normalized, unknown fields dropped", line(`"type":"command","name":"_.-line","outcome":"completed","layer":"Secret plans","file":"C:\\x.dwg"`),
			`{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"command","name":"LINE","outcome":"completed"}`},
		{"transparent command", line(`"type":"command","name":"'zoom","outcome":"started"`),
			`{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"command","name":"ZOOM","outcome":"started"}`},
		{"document save", line(`"type":"document.save","duration_ms":420,"size_bytes":123456,"path":"/home/x/plan.dwg"`),
			`{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"document.save","duration_ms":420,"size_bytes":123456}`},
		{"setting bool", line(`"type":"setting","name":"FILEDIA","value":true`),
			`{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"setting","name":"FILEDIA","value":true}`},
		{"setting number", line(`"type":"setting","name":"OSMODE","value":4133`),
			`{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"setting","name":"OSMODE","value":4133}`},
		{"objects", line(`"type":"objects","counts":{"LINE":120,"INSERT":3}`),
			`{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"objects","counts":{"INSERT":3,"LINE":120}}`},
		{"view", line(`"type":"view","view":"3d","change":"orbit"`),
			`{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"view","view":"3d","change":"orbit"}`},
		{"product case folded to catalog", []byte(`{"v":1,"ts":"2026-11-20T09:00:00+01:00","product":"autocad","version":"2027.1","session":"s1","type":"session.end"}`),
			`{"ts":"2026-11-20T09:00:00+01:00","product":"AutoCAD","version":"2027.1","session":"s1","type":"session.end"}`},
		{"timestamp kept as written", []byte(`{"v":1,"ts":"2026-11-20T09:14:03.120+01:00","product":"Revit","version":"2027","session":"s1","type":"session.end"}`),
			`{"ts":"2026-11-20T09:14:03.120+01:00","product":"Revit","version":"2027","session":"s1","type":"session.end"}`},
		{"CRLF line ending", append(line(`"type":"session.end"`), '\r'),
			`{"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"session.end"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := san.Sanitize(tt.in)
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			got, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("stored\n %s\nwant\n %s", got, tt.want)
			}
		})
	}
}

func TestSanitizeRejects(t *testing.T) {
	san := journal.Sanitizer{}
	tests := []struct {
		name   string
		in     []byte
		reason string
	}{
		{"windows path as command", line(`"type":"command","name":"C:\\Users\\jdoe\\plan.dwg","outcome":"completed"`), journal.ReasonIdentifier},
		{"posix path as command", line(`"type":"command","name":"/home/jdoe/plan.dwg","outcome":"completed"`), journal.ReasonIdentifier},
		{"UNC path as setting", line(`"type":"setting","name":"\\\\server\\share\\x","value":1`), journal.ReasonIdentifier},
		{"relative path as view", line(`"type":"view","view":"plans/secret","change":"orbit"`), journal.ReasonIdentifier},
		{"spaces (free text)", line(`"type":"command","name":"hello world","outcome":"completed"`), journal.ReasonIdentifier},
		{"coordinate text in name", line(`"type":"command","name":"12.5,40.1","outcome":"completed"`), journal.ReasonIdentifier},
		{"coordinates as array", line(`"type":"setting","name":"LASTPOINT","value":[12.5,40.1,0]`), journal.ReasonSettingValue},
		{"coordinates as object counts", line(`"type":"objects","counts":{"LINE":[1,2]}`), journal.ReasonBadValue},
		{"string setting value", line(`"type":"setting","name":"CLAYER","value":"Secret layer"`), journal.ReasonSettingValue},
		{"number in string field", line(`"type":"document.open","duration_ms":"1200","size_bytes":5`), journal.ReasonBadValue},
		{"fractional duration", line(`"type":"document.open","duration_ms":12.5,"size_bytes":5`), journal.ReasonBadValue},
		{"negative size", line(`"type":"document.open","duration_ms":12,"size_bytes":-5`), journal.ReasonNegativeValue},
		{"open over a day", line(`"type":"document.open","duration_ms":86400001,"size_bytes":5`), journal.ReasonOutOfRange},
		{"startup over a day", line(`"type":"session.start","startup_ms":1000000000000`), journal.ReasonOutOfRange},
		{"document over 1 TiB", line(`"type":"document.save","duration_ms":5,"size_bytes":1099511627777`), journal.ReasonOutOfRange},
		{"object count over 10^9", line(`"type":"objects","counts":{"LINE":1000000001}`), journal.ReasonOutOfRange},
		{"nested object as name", line(`"type":"command","name":{"x":1},"outcome":"completed"`), journal.ReasonBadValue},
		{"missing outcome", line(`"type":"command","name":"LINE"`), journal.ReasonMissingField},
		{"bad outcome", line(`"type":"command","name":"LINE","outcome":"done"`), journal.ReasonBadOutcome},
		{"unknown type", line(`"type":"mouse.move","x":1,"y":2`), journal.ReasonUnknownType},
		{"unknown product", []byte(`{"v":1,"ts":"2026-11-20T09:00:00Z","product":"Notepad","version":"1","session":"s1","type":"session.end"}`), journal.ReasonProduct},
		{"version with space", []byte(`{"v":1,"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027 beta","session":"s1","type":"session.end"}`), journal.ReasonVersion},
		{"session path", []byte(`{"v":1,"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027","session":"../../etc","type":"session.end"}`), journal.ReasonIdentifier},
		{"bad timestamp", []byte(`{"v":1,"ts":"yesterday","product":"AutoCAD","version":"2027","session":"s1","type":"session.end"}`), journal.ReasonTimestamp},
		{"schema 2", []byte(`{"v":2,"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027","session":"s1","type":"session.end"}`), journal.ReasonSchema},
		{"not json", []byte(`hello`), journal.ReasonInvalidJSON},
		{"json array", []byte(`[1,2]`), journal.ReasonInvalidJSON},
		{"invalid utf-8", line("\"type\":\"command\",\"name\":\"L\xffNE\",\"outcome\":\"completed\""), journal.ReasonInvalidUTF8},
		{"NUL byte escaped", line(`"type":"command","name":"LINE\u0000x","outcome":"completed"`), journal.ReasonIdentifier},
		{"raw NUL byte", line("\"type\":\"command\",\"name\":\"LI\x00NE\",\"outcome\":\"completed\""), journal.ReasonInvalidJSON},
		{"huge line", line(`"type":"session.end","pad":"` + strings.Repeat("x", journal.MaxLine) + `"`), journal.ReasonTooLong},
		{"identifier too long", line(`"type":"command","name":"` + strings.Repeat("A", 65) + `","outcome":"completed"`), journal.ReasonIdentifier},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := san.Sanitize(tt.in)
			var rej *journal.RejectError
			if !errors.As(err, &rej) {
				t.Fatalf("accepted or wrong error: %v", err)
			}
			if rej.Reason != tt.reason {
				t.Errorf("reason %q, want %q", rej.Reason, tt.reason)
			}
		})
	}
}

func TestNormalizeCommand(t *testing.T) {
	for in, want := range map[string]string{"_.-line": "LINE", "'zoom": "ZOOM", "-layer": "LAYER", "Copy": "COPY", "3dorbit": "3DORBIT"} {
		if got := journal.NormalizeCommand(in); got != want {
			t.Errorf("NormalizeCommand(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNamePatterns holds the identifier and version checks to the
// contract's regular expressions.
func TestNamePatterns(t *testing.T) {
	ident := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$`)
	version := regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._+-]{0,31}$`)
	cases := []string{"", "a", "LINE", "3d.orbit", "_line", "-x", "a b", "a/b", `a\b`, "a:b", "a,b", "é", "a\x00",
		"2027.1", "2027.1+hf", "v1_2-3", strings.Repeat("a", 32), strings.Repeat("a", 33), strings.Repeat("a", 64), strings.Repeat("a", 65)}
	for _, c := range cases {
		if got, want := journal.ValidIdentifier(c), ident.MatchString(c); got != want {
			t.Errorf("ValidIdentifier(%q) = %v, want %v", c, got, want)
		}
		if got, want := journal.ValidVersion(c), version.MatchString(c); got != want {
			t.Errorf("ValidVersion(%q) = %v, want %v", c, got, want)
		}
	}
}

func TestSanitizeBoundsTimestampsByTheClock(t *testing.T) {
	now, _ := time.Parse(time.RFC3339, "2026-11-20T12:00:00Z")
	san := journal.Sanitizer{Now: func() time.Time { return now }, MaxAge: 90 * 24 * time.Hour, MaxAhead: 24 * time.Hour}
	for ts, ok := range map[string]bool{
		"2026-11-20T09:00:00Z": true,
		"2026-08-23T12:00:00Z": true,
		"2026-08-22T11:59:59Z": false,
		"2026-11-21T12:00:00Z": true,
		"2026-11-21T12:00:01Z": false,
		"2000-01-01T00:00:00Z": false,
		"2100-01-01T00:00:00Z": false,
	} {
		_, err := san.Sanitize([]byte(`{"v":1,"ts":"` + ts + `","product":"AutoCAD","version":"2027.1","session":"s1","type":"session.start"}`))
		var rej *journal.RejectError
		if ok != (err == nil) || (!ok && (!errors.As(err, &rej) || rej.Reason != journal.ReasonTimeRange)) {
			t.Errorf("%s: %v, want accepted=%v", ts, err, ok)
		}
	}
}
