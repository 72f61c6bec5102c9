package localapi

import (
	"net/http"
	"teamlens/shared/localclient"
)

// status is `agent status` for a user who is not root: the figures of the
// agent as a whole, which name nobody, and of the per-user parts only the
// caller's own.
func (s *Server) status(w http.ResponseWriter, r *http.Request, login string) {
	st, err := s.cfg.Store.Status(r.Context())
	if err != nil {
		s.fail(w, "status", err)
		return
	}
	consent := "off" // the default for a user the agent has seen nothing of
	if c, ok := st.Consent[login]; ok {
		consent = c
	}
	st.Consent = map[string]string{login: consent}
	quarantined := []localclient.QuarantinedDay{}
	for _, q := range st.Queue.Quarantined {
		if q.User == login {
			quarantined = append(quarantined, q)
		}
	}
	st.Queue.Quarantined = quarantined
	writeJSON(w, http.StatusOK, st)
}
