package insights

import (
	"bytes"
	"encoding/json"
	"fmt"
	"teamlens/shared/wire"
)

// Findings holds a snapshot's insights, one typed slice per kind. On the
// wire (and in the database) they are the contract's single "insights"
// list, each element carrying its "kind", listed in the order of kinds.
type Findings struct {
	UnderAssignment    []UnderAssignment
	OverAssignment     []OverAssignment
	InactiveUser       []InactiveUser
	ProductVersion     []ProductVersion
	ProductPerformance []ProductPerformance
	CommandUsage       []CommandUsage
}

// Len returns the number of findings of every kind.
func (f Findings) Len() int {
	return len(f.UnderAssignment) + len(f.OverAssignment) + len(f.InactiveUser) +
		len(f.ProductVersion) + len(f.ProductPerformance) + len(f.CommandUsage)
}

// MarshalJSON writes the contract's list: kinds in order, never null.
func (f Findings) MarshalJSON() ([]byte, error) {
	var items [][]byte
	var err error
	items, err = marshalEach(items, f.UnderAssignment, err)
	items, err = marshalEach(items, f.OverAssignment, err)
	items, err = marshalEach(items, f.InactiveUser, err)
	items, err = marshalEach(items, f.ProductVersion, err)
	items, err = marshalEach(items, f.ProductPerformance, err)
	items, err = marshalEach(items, f.CommandUsage, err)
	if err != nil {
		return nil, err
	}
	out := append([]byte{'['}, bytes.Join(items, []byte{','})...)
	return append(out, ']'), nil
}

// marshalEach appends the JSON of each of xs unless an earlier kind failed.
func marshalEach[T any](to [][]byte, xs []T, err error) ([][]byte, error) {
	if err != nil {
		return to, err
	}
	for i := range xs {
		b, err := json.Marshal(&xs[i])
		if err != nil {
			return to, err
		}
		to = append(to, b)
	}
	return to, nil
}

// UnmarshalJSON reads the contract's list back, each element into the type
// its "kind" names; an unknown kind is an error rather than a silent loss.
func (f *Findings) UnmarshalJSON(b []byte) error {
	var elems []json.RawMessage
	if err := json.Unmarshal(b, &elems); err != nil {
		return fmt.Errorf("insights: %w", err)
	}
	*f = Findings{}
	for i, raw := range elems {
		var head struct {
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return fmt.Errorf("insight %d: %w", i, err)
		}
		var err error
		switch head.Kind {
		case wire.KindUnderAssignment:
			f.UnderAssignment, err = decodeAppend(raw, f.UnderAssignment)
		case wire.KindOverAssignment:
			f.OverAssignment, err = decodeAppend(raw, f.OverAssignment)
		case wire.KindInactiveUser:
			f.InactiveUser, err = decodeAppend(raw, f.InactiveUser)
		case wire.KindProductVersion:
			f.ProductVersion, err = decodeAppend(raw, f.ProductVersion)
		case wire.KindProductPerformance:
			f.ProductPerformance, err = decodeAppend(raw, f.ProductPerformance)
		case wire.KindCommandUsage:
			f.CommandUsage, err = decodeAppend(raw, f.CommandUsage)
		default:
			err = fmt.Errorf("unknown kind %q", head.Kind)
		}
		if err != nil {
			return fmt.Errorf("insight %d: %w", i, err)
		}
	}
	return nil
}

func decodeAppend[T any](raw []byte, to []T) ([]T, error) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return to, err
	}
	return append(to, v), nil
}

// ForAdmin returns the snapshot as an admin may see it: over_assignment is
// about buying seats, so only admins who may purchase see it, and nor do
// the others see findings of the subscriptions hidden from them today.
func (s Snapshot) ForAdmin(canPurchase bool, hidden map[string]bool) Snapshot {
	if canPurchase {
		return s
	}
	s.Insights.OverAssignment = nil
	var under []UnderAssignment
	for _, u := range s.Insights.UnderAssignment {
		if !hidden[u.Subscription] {
			under = append(under, u)
		}
	}
	s.Insights.UnderAssignment = under
	return s
}

// Decode reads a stored snapshot body.
func Decode(body []byte) (*Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	if s.Unavailable == nil {
		s.Unavailable = []Unavailable{}
	}
	return &s, nil
}
