package insights

import (
	"strconv"
	"strings"
)

// CSVHeader is the header of insights.csv (documented in the collector's
// package doc): one row per finding, command_usage one row per category; a
// column a kind does not use stays empty.
func CSVHeader() []string {
	return []string{"team", "as_of", "kind", "product", "subscription", "user", "version", "metric", "category",
		"seats", "assigned", "available", "ended_on", "last_used", "days_used", "share", "peer_share", "count",
		"p25", "p50", "p75", "users_q1", "users_q2", "users_q3", "users_q4", "team_mean_ms", "users",
		"currency", "monthly_cost", "yearly_saving", "yearly_cost"}
}

// Column positions of CSVHeader.
const (
	colTeam = iota
	colAsOf
	colKind
	colProduct
	colSubscription
	colUser
	colVersion
	colMetric
	colCategory
	colSeats
	colAssigned
	colAvailable
	colEndedOn
	colLastUsed
	colDaysUsed
	colShare
	colPeerShare
	colCount
	colP25
	colP50
	colP75
	colUsersQ1
	colTeamMeanMS = colUsersQ1 + 4
	colUsers      = colTeamMeanMS + 1
	colCurrency   = colUsers + 1
	colMonthly    = colCurrency + 1
	colSaving     = colMonthly + 1
	colYearlyCost = colSaving + 1
	numCols       = colYearlyCost + 1
)

// CSVRows returns the rows of insights.csv under CSVHeader, unescaped.
func (s Snapshot) CSVRows() [][]string {
	var rows [][]string
	row := func(kind, product string) []string {
		r := make([]string, numCols)
		r[colTeam], r[colAsOf], r[colKind], r[colProduct] = s.Team, s.AsOf, kind, product
		rows = append(rows, r)
		return r
	}
	f := s.Insights
	for _, x := range f.UnderAssignment {
		r := row(x.Kind, x.Product)
		r[colSubscription] = x.Subscription
		r[colSeats], r[colAssigned], r[colAvailable] = itoa(x.Seats), itoa(x.Assigned), itoa(x.Available)
		x.Money.cells(r)
	}
	for _, x := range f.OverAssignment {
		r := row(x.Kind, x.Product)
		r[colSubscription], r[colEndedOn], r[colUsers] = x.Subscription, x.EndedOn, strings.Join(x.Users, ";")
		Money{Currency: x.Currency, MonthlyCost: x.MonthlyCost}.cells(r)
		r[colYearlyCost] = optf(x.YearlyCost)
	}
	for _, x := range f.InactiveUser {
		r := row(x.Kind, x.Product)
		r[colUser] = x.User
		if x.LastUsed != nil {
			r[colLastUsed] = *x.LastUsed
		}
		x.Money.cells(r)
	}
	for _, x := range f.ProductVersion {
		r := row(x.Kind, x.Product)
		r[colVersion], r[colDaysUsed], r[colShare], r[colUsers] = x.Version, itoa(x.DaysUsed), ftoa(x.Share), strings.Join(x.Users, ";")
	}
	for _, x := range f.ProductPerformance {
		r := row(x.Kind, x.Product)
		r[colMetric], r[colP25], r[colP50], r[colP75] = x.Metric, ftoa(x.P25), ftoa(x.P50), ftoa(x.P75)
		for i, n := range x.UsersByQuartile {
			r[colUsersQ1+i] = strconv.Itoa(n)
		}
		if x.TeamMeanMS != nil {
			r[colTeamMeanMS] = ftoa(*x.TeamMeanMS)
		}
	}
	for _, x := range f.CommandUsage {
		for _, c := range x.Categories {
			r := row(x.Kind, x.Product)
			r[colCategory], r[colCount], r[colShare], r[colPeerShare] = c.Category, itoa(c.Count), ftoa(c.Share), ftoa(c.PeerShare)
		}
	}
	return rows
}

// cells writes m into its columns of a row.
func (m Money) cells(r []string) {
	r[colCurrency], r[colMonthly], r[colSaving] = m.Currency, optf(m.MonthlyCost), optf(m.YearlySaving)
}

func optf(v *float64) string {
	if v == nil {
		return ""
	}
	return ftoa(*v)
}

func itoa(n int64) string   { return strconv.FormatInt(n, 10) }
func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
