package localclient

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// Drawings is GET /v1/insights/drawings?product=P&days=N: one product's
// drawing figures (object counts, view changes, settings, the process's
// CPU and memory) over the last days.
type Drawings struct {
	Product string `json:"product"`
	// Days is how many days had analytics for the product.
	Days int `json:"days"`
	// Objects are the object types of a typical drawing: for each type the
	// median, over days with object counts, of the day's largest count;
	// most numerous first, types whose median is 0 left out.
	Objects []Count `json:"objects"`
	// Hours is the time in the product on days with analytics, which the
	// view rates are per.
	Hours float64 `json:"hours"`
	// Views are view changes per hour in the product, most frequent first;
	// ViewsPerHour is their sum.
	Views        []Rate  `json:"views"`
	ViewsPerHour float64 `json:"views_per_hour"`
	// Settings are the latest value of each setting that differs from its
	// default, or that has no known default; by name.
	Settings []Setting `json:"settings"`
	// CPU and Memory are what the product's process used on this
	// workstation, sampled while it ran: percent of one core and MB.
	CPU    Usage `json:"cpu"`
	Memory Usage `json:"memory"`
}

// Usage is a sampled resource: its mean over every sample and its peak.
type Usage struct {
	Samples int64   `json:"samples"`
	Mean    float64 `json:"mean"`
	Peak    float64 `json:"peak"`
}

// Count is a number of one object type.
type Count struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// Rate is how often a view change happens per hour.
type Rate struct {
	Name    string  `json:"name"`
	PerHour float64 `json:"per_hour"`
}

// Setting is a setting's value and its product default.
type Setting struct {
	Name       string  `json:"name"`
	Value      float64 `json:"value"`
	Default    float64 `json:"default"`
	HasDefault bool    `json:"has_default"`
}

// Drawings returns the caller's drawing figures of product over the last
// days days.
func (c *Client) Drawings(ctx context.Context, product string, days int) (Drawings, error) {
	q := url.Values{"product": {product}, "days": {strconv.Itoa(days)}}
	var v Drawings
	err := c.do(ctx, http.MethodGet, "/v1/insights/drawings?"+q.Encode(), nil, &v)
	return v, err
}
