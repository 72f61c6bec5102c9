package journal

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzParseMatchesDecoder holds the line splitter to encoding/json: for
// every valid object without escapes, each allowed field gets exactly the
// raw value the standard decoder sees.
func FuzzParseMatchesDecoder(f *testing.F) {
	for _, seed := range []string{
		`{"v":1,"ts":"2026-11-20T09:00:00Z","name":"_line","outcome":"completed"}`,
		`{ "counts" : {"a":[1,{"b":"}"}],"c":"]"} , "view":"3d" ,"name":null}`,
		`{"name":"a","name":"b","x":{"name":"c"}}`,
		`{"value":-1.5e10,"change":true,"size_bytes":[]}`,
		`{}`, `[]`, `{"a":1}x`, `"name"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !utf8.Valid(in) || bytes.IndexByte(in, '\\') >= 0 {
			return
		}
		var got rawLine
		ok := got.parse(in)
		var m map[string]json.RawMessage
		want := len(in) > 0 && in[0] == '{' && json.Unmarshal(in, &m) == nil
		if ok != want {
			t.Fatalf("parse ok=%v, decoder ok=%v", ok, want)
		}
		if !ok {
			return
		}
		for _, key := range []string{"v", "ts", "product", "version", "session", "type", "startup_ms", "duration_ms",
			"size_bytes", "name", "outcome", "value", "counts", "view", "change"} {
			if g := *got.field([]byte(key)); !bytes.Equal(g, m[key]) {
				t.Fatalf("%s: parse %q, decoder %q", key, g, m[key])
			}
		}
	})
}
