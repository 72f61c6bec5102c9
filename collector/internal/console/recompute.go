package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

func (h *Handler) recompute(w http.ResponseWriter, r *http.Request, q *request) {
	team := r.PathValue("team")
	if _, err := h.cfg.Teams.Recompute(r.Context(), q.who, team); err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, team, "recomputed", 0)
}

// notices are the texts ?done= may show: a link may name one of them,
// never bring its own words.
var notices = map[string]string{
	"assigned":   "Assigned %d user(s).",
	"unassigned": "Unassigned %d seat(s).",
	"recomputed": "Insights recomputed for today.",
}

// back sends the admin to the team page with a notice of what was done.
func back(w http.ResponseWriter, r *http.Request, team, done string, n int) {
	q := url.Values{"done": {done}}
	if n > 0 {
		q.Set("n", strconv.Itoa(n))
	}
	http.Redirect(w, r, "/teams/"+url.PathEscape(team)+"?"+q.Encode(), http.StatusSeeOther)
}

// notice is the text of a team page's ?done=, or "".
func notice(q url.Values) string {
	f, ok := notices[q.Get("done")]
	if !ok {
		return ""
	}
	if !strings.Contains(f, "%d") {
		return f
	}
	n, err := strconv.Atoi(q.Get("n"))
	if err != nil || n < 1 {
		return ""
	}
	return fmt.Sprintf(f, n)
}
