// Package csvsafe writes CSV that a spreadsheet opens as data: a cell a
// spreadsheet would evaluate as a formula (CSV or formula injection) is
// written with a leading apostrophe, which Excel, LibreOffice and Google
// Sheets read as "this is text" and do not show. Every CSV the collector
// writes goes through it, because names, emails, logins and subscription
// ids come from imported files and uploads.
package csvsafe

import (
	"encoding/csv"
	"io"
	"strings"
	"unicode"
)

// triggers are the first characters that make a spreadsheet evaluate a
// cell: the formula and DDE prefixes, and their full-width and small-form
// variants, which some spreadsheets (Excel with East Asian input) fold to
// ASCII before parsing.
const triggers = "=+-@|%" +
	"\uFF1D\uFF0B\uFF0D\uFF20\uFF5C\uFF05" + // full-width = + - @ | %
	"\uFE66\uFE62\uFE63\uFE6B\uFE6A" + // small = + - @ %
	"\u2212" // minus sign

// Escape returns v as a cell no spreadsheet evaluates. A cell is escaped
// when its first character, after any leading white space or control
// characters (tab, CR and LF among them, which some importers strip), is a
// trigger, or when it begins with a control character at all. A plain
// decimal number such as "-3" or "-0.25" is left alone: it is a number to
// every spreadsheet, never a formula.
func Escape(v string) string {
	if v == "" || plainNumber(v) {
		return v
	}
	first := strings.IndexFunc(v, func(r rune) bool { return !unicode.IsSpace(r) && !unicode.IsControl(r) })
	if first != 0 || strings.ContainsRune(triggers, []rune(v[first:])[0]) {
		return "'" + v
	}
	return v
}

// plainNumber reports whether v is -?digits(.digits)?, which no
// spreadsheet reads as a formula.
func plainNumber(v string) bool {
	v = strings.TrimPrefix(v, "-")
	whole, frac, hasFrac := strings.Cut(v, ".")
	return digits(whole) && (!hasFrac || digits(frac))
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Writer is a csv.Writer that escapes every cell it writes.
type Writer struct {
	w   *csv.Writer
	row []string
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, every cell escaped; record is not modified.
func (w *Writer) Write(record []string) error {
	w.row = w.row[:0]
	for _, v := range record {
		w.row = append(w.row, Escape(v))
	}
	return w.w.Write(w.row)
}

// Flush writes any buffered data and returns the first error of any write.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
