package insights_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/insights"
)

func TestFindingsRoundTripInContractShape(t *testing.T) {
	last := "2026-06-01"
	mean := 1234.5
	in := insights.Snapshot{Team: "T1", AsOf: asOf, GeneratedAt: time.Date(2026, 6, 30, 3, 0, 0, 0, time.UTC),
		Insights: insights.Findings{
			UnderAssignment:    []insights.UnderAssignment{{Kind: "under_assignment", Subscription: "S1", Product: "AutoCAD", Seats: 3, Assigned: 1, Available: 2}},
			OverAssignment:     []insights.OverAssignment{{Kind: "over_assignment", Subscription: "S0", Product: "AutoCAD", EndedOn: "2026-01-01", Users: []string{"a@x.com"}}},
			InactiveUser:       []insights.InactiveUser{{Kind: "inactive_user", Product: "AutoCAD", User: "a@x.com", LastUsed: &last}, {Kind: "inactive_user", Product: "Revit", User: "b@x.com"}},
			ProductVersion:     []insights.ProductVersion{{Kind: "product_version", Product: "Revit", Version: "2024", DaysUsed: 1, Share: 0.005, Users: []string{"b@x.com"}}},
			ProductPerformance: []insights.ProductPerformance{{Kind: "product_performance", Product: "AutoCAD", Metric: "startup", P25: 1, P50: 2, P75: 3, UsersByQuartile: [4]int{1, 0, 2, 0}, TeamMeanMS: &mean}},
			CommandUsage:       []insights.CommandUsage{{Kind: "command_usage", Product: "AutoCAD", Categories: []insights.CategoryShare{{Category: "Draw", Count: 4, Share: 1, PeerShare: 0.5}}}},
		},
		Unavailable: []insights.Unavailable{{Kind: "product_performance", Reason: "few users", Product: "Revit", Metric: "save"}},
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	// The kinds appear in the contract's order, as one list.
	order := []string{"under_assignment", "over_assignment", "inactive_user", "product_version", "product_performance", "command_usage"}
	prev := -1
	for _, k := range order {
		i := strings.Index(string(body), `{"kind":"`+k+`"`)
		if i <= prev {
			t.Fatalf("kind %s out of order in %s", k, body)
		}
		prev = i
	}
	if !strings.Contains(string(body), `"last_used":null`) {
		t.Errorf("a never-used inactive user must say last_used null: %s", body)
	}
	back, err := insights.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*back, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", *back, in)
	}
	if got := back.ForAdmin(false, nil); got.Insights.OverAssignment != nil || got.Insights.Len() != in.Insights.Len()-1 {
		t.Errorf("ForAdmin(false) kept over_assignment: %+v", got.Insights)
	}
}

func TestFindingsRefuseUnknownKind(t *testing.T) {
	_, err := insights.Decode([]byte(`{"team":"T","as_of":"2026-01-01","insights":[{"kind":"seat_magic"}],"unavailable":[]}`))
	if err == nil || !strings.Contains(err.Error(), "seat_magic") {
		t.Errorf("unknown kind: err = %v", err)
	}
	s, err := insights.Decode([]byte(`{"team":"T","as_of":"2026-01-01","insights":[],"unavailable":[]}`))
	if err != nil || s.Insights.Len() != 0 {
		t.Fatalf("empty: %v %+v", err, s)
	}
	if b, _ := json.Marshal(s); !strings.Contains(string(b), `"insights":[]`) {
		t.Errorf("empty findings must be [] not null: %s", b)
	}
}

func TestSnapshotCSVRows(t *testing.T) {
	s := insights.Snapshot{Team: "T1", AsOf: asOf, Insights: insights.Findings{
		CommandUsage: []insights.CommandUsage{{Kind: "command_usage", Product: "AutoCAD", Categories: []insights.CategoryShare{
			{Category: "Draw", Count: 4, Share: 0.8, PeerShare: 0.5}, {Category: "Other", Count: 1, Share: 0.2}}}},
		UnderAssignment: []insights.UnderAssignment{{Kind: "under_assignment", Subscription: "S1", Product: "AutoCAD", Seats: 3, Assigned: 1, Available: 2}},
	}}
	rows := s.CSVRows()
	head := insights.CSVHeader()
	if len(rows) != 3 {
		t.Fatalf("rows %v", rows)
	}
	col := map[string]int{}
	for i, c := range head {
		col[c] = i
	}
	for _, r := range rows {
		if len(r) != len(head) {
			t.Fatalf("row %v has %d cells, header %d", r, len(r), len(head))
		}
	}
	if r := rows[0]; r[col["kind"]] != "under_assignment" || r[col["available"]] != "2" || r[col["category"]] != "" {
		t.Errorf("under_assignment row %v", r)
	}
	if r := rows[2]; r[col["category"]] != "Other" || r[col["share"]] != "0.2" || r[col["peer_share"]] != "0" || r[col["count"]] != "1" {
		t.Errorf("second category row %v", r)
	}
}
