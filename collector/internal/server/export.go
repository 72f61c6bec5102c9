package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
)

// WriteCSV answers a CSV download; every cell a spreadsheet would run as a
// formula is defused. The console writes its CSVs with it too.
func WriteCSV(w http.ResponseWriter, filename string, header []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	cw := csv.NewWriter(w)
	cw.Write(header)
	for _, row := range rows {
		for i, v := range row {
			row[i] = defuse(v)
		}
		cw.Write(row)
	}
	cw.Flush()
}

// defuse keeps a spreadsheet from running a cell as a formula: names and
// emails come from imported files.
func defuse(v string) string {
	if v != "" && strings.ContainsRune("=+@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
