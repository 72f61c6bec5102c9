package wire

// Benchmarks is the body of GET /v1/benchmarks?product=P: collector-wide
// quartiles of per-user mean times over the 90 days ending on To, which My
// Insights sets a user's own figures against. A metric is absent until at
// least MinBenchmarkUsers directory users have data for it, so that no one
// user's figures can be read off.
type Benchmarks struct {
	Product string     `json:"product"`
	From    string     `json:"from"` // first day of the window, YYYY-MM-DD
	To      string     `json:"to"`   // last day of the window, inclusive
	Startup *Quartiles `json:"startup,omitempty"`
	Open    *Quartiles `json:"open,omitempty"`
	Save    *Quartiles `json:"save,omitempty"`
}

// Quartiles of per-user mean milliseconds. Each is the mean of the three
// users' means nearest its rank, to the millisecond, so that no quartile
// is one person's figure even when the ranks land on a user.
type Quartiles struct {
	Users int     `json:"users"`
	P25   float64 `json:"p25"`
	P50   float64 `json:"p50"`
	P75   float64 `json:"p75"`
}

// MinBenchmarkUsers is the fewest users with data for a metric to appear.
const MinBenchmarkUsers = 5
