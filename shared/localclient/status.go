package localclient

// Status is GET /v1/status and what `agent status` prints: the figures of
// the agent as a whole, which name nobody, and the per-user parts
// (consent, quarantined days); through the socket, only the caller's own.
type Status struct {
	Policy     Policy            `json:"policy"`
	Consent    map[string]string `json:"consent"`
	Counts     StatusCounts      `json:"counts"`
	Rejects    map[string]int64  `json:"rejects"`
	Queue      StatusQueue       `json:"queue"`
	LastUpload StatusUpload      `json:"last_upload"`
}

// StatusCounts counts what the agent's database holds.
type StatusCounts struct {
	Events    int64 `json:"events"`
	Sessions  int64 `json:"sessions"`
	Days      int64 `json:"days"`
	Files     int64 `json:"files"`
	Rejected  int64 `json:"rejected"`
	Discarded int64 `json:"discarded"`
}

// StatusQueue is the upload queue.
type StatusQueue struct {
	DaysPending     int64 `json:"days_pending"`
	DaysQuarantined int64 `json:"days_quarantined"`
	// Quarantined lists the refused days with the collector's reason;
	// `agent requeue` releases them.
	Quarantined []QuarantinedDay `json:"quarantined"`
}

// QuarantinedDay is a day record the collector refused, set aside until it
// changes or an admin requeues it.
type QuarantinedDay struct {
	Date    string `json:"date"`
	User    string `json:"user"`
	Product string `json:"product"`
	Version string `json:"version"`
	Reason  string `json:"reason"`
}

// StatusUpload is the outcome of the latest uploads.
type StatusUpload struct {
	SuccessAt string `json:"success_at,omitempty"`
	ErrorAt   string `json:"error_at,omitempty"`
	Error     string `json:"error,omitempty"`
	// Reenrolled says when and why the agent last enrolled again after the
	// collector refused its device token.
	Reenrolled string `json:"reenrolled,omitempty"`
}
