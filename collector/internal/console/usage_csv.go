package console

import (
	"fmt"
	"net/http"

	"teamlens/collector/internal/csvsafe"
	"teamlens/collector/internal/teams"
)

// usageCSV downloads the usage details as shown: same filters, same order,
// the API's usage.csv columns, each row written as it is read.
func (h *Handler) usageCSV(w http.ResponseWriter, r *http.Request, q *request) {
	u, ok := h.readUsage(w, r, q)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("usage-%s-%s.csv", u.team.Team, u.details.Day)))
	cw := csvsafe.NewWriter(w)
	cw.Write(teams.UsageCSVHeader())
	n := 0
	err := u.details.Each(r.Context(), u.query.filter(), func(row teams.UsageRow, _ bool) error {
		if err := cw.Write(teams.UsageCSV([]teams.UsageRow{row})[0]); err != nil {
			return err
		}
		// Flushed every few hundred rows, so the download starts at once
		// and a client gone away stops the read.
		if n++; n%500 == 0 {
			return cw.Flush()
		}
		return nil
	})
	cw.Flush()
	if err != nil {
		// The header is sent: a cut-off download is all that can be said.
		h.cfg.Logger.Warn("usage csv cut off", "team", u.team.Team, "err", err)
	}
}
