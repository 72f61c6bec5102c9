package localapi

import (
	"net/http"

	"teamlens/shared/localclient"
)

// withdraw is POST /v1/consent/withdraw: consent off, and the analytics of
// days already uploaded withdrawn from the collector as well.
func (s *Server) withdraw(w http.ResponseWriter, r *http.Request, login string) {
	if err := s.cfg.Store.WithdrawAnalytics(r.Context(), login); err != nil {
		s.fail(w, "withdraw", err)
		return
	}
	s.cfg.Log.Info("consent off and analytics withdrawn through the local API", "user", login)
	writeJSON(w, http.StatusOK, localclient.ConsentResponse{Consent: false})
}
