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
	u, ok := h.readUsage(w, r, q)
	if !ok {
		return
	}
	server.WriteCSV(w, fmt.Sprintf("usage-%s-%s.csv", u.team.Team, u.day), teams.UsageCSVHeader(), teams.UsageCSV(u.query.filter(u.rows, u.inactive)))
}
