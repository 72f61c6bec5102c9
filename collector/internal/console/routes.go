package console

// routes is the console's one route table. Pages behind sign-in go through
// h.auth (session and admin token); their POSTs through h.csrf as well.
func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /{$}", h.auth(h.home))
	m.HandleFunc("GET /signin", h.signInShow)
	m.HandleFunc("POST /signin", h.signInCheck)
	m.HandleFunc("POST /signout", h.auth(h.csrf(h.signOut)))
	m.HandleFunc("GET /signin/oidc", h.oidcStart)
	m.HandleFunc("GET /signin/oidc/callback", h.oidcCallback)
	m.HandleFunc("GET /sessions", h.auth(h.sessionsShow))
	m.HandleFunc("POST /sessions/end-all", h.auth(h.csrf(h.sessionsEndAll)))
	m.HandleFunc("POST /sessions/{handle}/end", h.auth(h.csrf(h.sessionEnd)))
	m.HandleFunc("GET /teams/{team}/sessions", h.auth(h.teamSessionsShow))
	m.HandleFunc("POST /teams/{team}/sessions/{handle}/end", h.auth(h.csrf(h.teamSessionEnd)))
	m.HandleFunc("GET /teams", h.auth(h.teamsShow))
	m.HandleFunc("GET /teams/{team}", h.auth(h.teamShow))
	m.HandleFunc("POST /teams/{team}/recompute", h.auth(h.csrf(h.recompute)))
	m.HandleFunc("GET /teams/{team}/assign", h.auth(h.assignShow))
	m.HandleFunc("POST /teams/{team}/assign", h.auth(h.csrf(h.assignSave)))
	m.HandleFunc("POST /teams/{team}/unassign", h.auth(h.csrf(h.unassign)))
	m.HandleFunc("GET /teams/{team}/usage", h.auth(h.usageShow))
	m.HandleFunc("GET /teams/{team}/usage.csv", h.auth(h.usageCSV))
	m.HandleFunc("GET /teams/{team}/cost", h.auth(h.costShow))
	m.HandleFunc("GET /teams/{team}/cost.csv", h.auth(h.costCSV))
	m.HandleFunc("POST /teams/{team}/price", h.auth(h.csrf(h.priceSave)))
	m.HandleFunc("GET /teams/{team}/history", h.auth(h.historyShow))
	m.HandleFunc("GET /teams/{team}/admins", h.auth(h.adminsShow))
	m.HandleFunc("POST /teams/{team}/admins/tokens", h.auth(h.csrf(h.tokenMint)))
	m.HandleFunc("POST /teams/{team}/admins/tokens/{id}/revoke", h.auth(h.csrf(h.tokenRevoke)))
	m.HandleFunc("GET /teams/{team}/notifications", h.auth(h.notificationsShow))
	m.HandleFunc("POST /teams/{team}/notifications/reclaim", h.auth(h.csrf(h.reclaimSave)))
	m.HandleFunc("POST /teams/{team}/notifications/reclaim/off", h.auth(h.csrf(h.reclaimOff)))
	m.HandleFunc("POST /teams/{team}/notifications/webhooks", h.auth(h.csrf(h.webhookAdd)))
	m.HandleFunc("POST /teams/{team}/notifications/webhooks/{id}/delete", h.auth(h.csrf(h.webhookDelete)))
	m.HandleFunc("POST /teams/{team}/notifications/digest", h.auth(h.csrf(h.digestSave)))
	// A reclaim notice's link: no sign-in, the token in the path is the proof.
	m.HandleFunc("GET /keep/{token}", h.keepShow)
	m.HandleFunc("POST /keep/{token}", h.keepSave)
	m.HandleFunc("/", h.notFound)
}
