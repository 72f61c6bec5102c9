package server

import (
	"fmt"
	"net/http"

	"teamlens/collector/internal/csvsafe"
)

// WriteCSV answers a CSV download; csvsafe escapes every cell a spreadsheet
// would evaluate. The console writes its CSVs with it too.
func WriteCSV(w http.ResponseWriter, filename string, header []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	cw := csvsafe.NewWriter(w)
	cw.Write(header)
	for _, row := range rows {
		cw.Write(row)
	}
	cw.Flush()
}
