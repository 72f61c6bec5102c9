package csvsafe_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"teamlens/collector/internal/csvsafe"
)

func TestEscape(t *testing.T) {
	dangerous := []string{
		"=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "\tplain", "\rplain",
		"|calc", "%0A", "=cmd|' /C calc'!A0", "-", "--x", "-2+3", "-1e5",
		" =1+1", "  @x", "\u00a0=1", "\x00x",
		"\uFF1D1+1", "\uFF0B1", "\uFF0D1", "\uFF20x", "\uFF5Cx", "\uFF05x", // full width
		"\uFE66x", "\uFE62x", "\uFE63x", "\uFE6Bx", "\uFE6Ax", "\u22121",
		"-jdoe@x.com", "@corp.com", "+sub",
	}
	for _, v := range dangerous {
		if got := csvsafe.Escape(v); got != "'"+v {
			t.Errorf("Escape(%q) = %q, want it prefixed with '", v, got)
		}
	}
	safe := []string{"", "jdoe@x.com", "AutoCAD", "2027.1", "2026-11-20", "0", "42", "-3", "-0.25", "0.5",
		"CORP\\jdoe", "'quoted", "a=b", "x-1", "é=1"}
	for _, v := range safe {
		if got := csvsafe.Escape(v); got != v {
			t.Errorf("Escape(%q) = %q, want it unchanged", v, got)
		}
	}
}

// TestWriter reads the written CSV back: every dangerous cell comes back
// with its apostrophe, quoting still works, and the caller's row is kept.
func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := csvsafe.NewWriter(&buf)
	row := []string{"=HYPERLINK(\"http://x\",\"y\")", "a,b", "-5", "-x"}
	if err := w.Write(row); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if row[0][0] != '=' {
		t.Errorf("Write changed the caller's row: %q", row)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"'=HYPERLINK(\"http://x\",\"y\")", "a,b", "-5", "'-x"}
	if len(got) != 1 || len(got[0]) != 4 {
		t.Fatalf("read back %q", got)
	}
	for i := range want {
		if got[0][i] != want[i] {
			t.Errorf("cell %d = %q, want %q", i, got[0][i], want[i])
		}
	}
}
