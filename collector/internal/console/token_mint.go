package console

import (
	"net/http"
	"strconv"
	"time"
)

// tokenMint issues a token for one of the team's admins and shows it once.
func (h *Handler) tokenMint(w http.ResponseWriter, r *http.Request, q *request) {
	email := r.PostFormValue("email")
	days, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil || days < 0 || days > 3650 {
		h.errorPage(w, r, http.StatusBadRequest, "Validity must be a whole number of days from 0 (never expires) to 3650.")
		return
	}
	token, err := h.cfg.Teams.MintToken(r.Context(), q.who, r.PathValue("team"), email, time.Duration(days)*24*time.Hour, r.PostFormValue("read_only") == "1")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.adminsRender(w, r, q, token, email)
}
