package console

import (
	"fmt"
	"net/http"

	"teamlens/collector/internal/server"
	"teamlens/collector/internal/teams"
)

// usageCSV downloads the usage details as shown: same filters, same order,
// the API's usage.csv columns.
func (h *Handler) usageCSV(w http.ResponseWriter, r *http.Request, q *request) {
	t, ok := h.team(w, r, q)
	if !ok {
		return
	}
	uq := readUsageQuery(r)
	rows, day, err := h.cfg.Teams.Usage(r.Context(), q.who, t.Team, uq.AsOf)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteCSV(w, fmt.Sprintf("usage-%s-%s.csv", t.Team, day), teams.UsageCSVHeader(), teams.UsageCSV(uq.filter(rows)))
}
