package journal_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"teamlens/shared/catalog"
	"teamlens/shared/journal"
)

// safeString is what any string of a stored event may look like: no path
// separator, no space, no comma, no drive colon. The timestamp is the one
// string allowed its colons and is checked apart.
var safeString = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+-]*$`)

// FuzzSanitize holds the privacy property: whatever bytes a product
// writes, the event that reaches storage carries no path, no free text and
// no coordinate.
func FuzzSanitize(f *testing.F) {
	for _, seed := range []string{
		`{"v":1,"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"command","name":"_.-line","outcome":"completed"}`,
		`{"v":1,"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027.1","session":"s1","type":"setting","name":"LASTPOINT","value":[1.5,2.5]}`,
		`{"v":1,"ts":"2026-11-20T09:00:00Z","product":"Revit","version":"2027","session":"s1","type":"objects","counts":{"WALL":3}}`,
		`{"v":1,"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027","session":"s1","type":"document.open","duration_ms":1,"size_bytes":2,"path":"C:\\a b\\c.dwg"}`,
		`{"v":1,"ts":"2026-11-20T09:00:00Z","product":"AutoCAD","version":"2027","session":"s1","type":"view","view":"3d","change":"orbit"}`,
	} {
		f.Add([]byte(seed))
	}
	san := journal.Sanitizer{}
	f.Fuzz(func(t *testing.T, in []byte) {
		e, err := san.Sanitize(in)
		if err != nil {
			return
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("stored event does not marshal: %v", err)
		}
		var stored map[string]any
		if err := json.Unmarshal(b, &stored); err != nil {
			t.Fatalf("stored event is not JSON: %v", err)
		}
		check(t, "", stored)
	})
}

func check(t *testing.T, key string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if key == "counts" && !safeString.MatchString(k) {
				t.Fatalf("unsafe object type %q", k)
			}
			check(t, k, x)
		}
	case []any:
		t.Fatalf("an array reached storage in %q: %v", key, v)
	case string:
		switch {
		case key == "ts":
			if strings.ContainsAny(v, `/\ ,`) {
				t.Fatalf("unsafe timestamp %q", v)
			}
		case key == "product":
			if p, ok := catalog.Builtin().Lookup(v); !ok || p.Name != v {
				t.Fatalf("product %q is not a catalog name", v)
			}
		case !safeString.MatchString(v):
			t.Fatalf("unsafe %s %q reached storage", key, v)
		}
	}
}
