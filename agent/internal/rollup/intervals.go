package rollup

import (
	"encoding/binary"
	"errors"
	"sort"
)

// Intervals are disjoint, sorted [start, end) spans of Unix milliseconds
// of positive length: the time a day's sessions cover. A day keeps them so
// a new session is added to the day without reading its other sessions.
type Intervals [][2]int64

// Add returns the union of iv and [a, b). An empty span adds no time.
func (iv Intervals) Add(a, b int64) Intervals {
	if b <= a {
		return iv
	}
	i := sort.Search(len(iv), func(i int) bool { return iv[i][1] >= a })
	j := i
	for j < len(iv) && iv[j][0] <= b {
		a, b = min(a, iv[j][0]), max(b, iv[j][1])
		j++
	}
	out := make(Intervals, 0, len(iv)-(j-i)+1)
	out = append(out, iv[:i]...)
	out = append(out, [2]int64{a, b})
	return append(out, iv[j:]...)
}

// Total is the length of the union.
func (iv Intervals) Total() int64 {
	var n int64
	for _, s := range iv {
		n += s[1] - s[0]
	}
	return n
}

// Union is the union of any spans, for a day whose intervals were never
// kept (a database from before they were).
func Union(spans [][2]int64) Intervals {
	var iv Intervals
	for _, s := range spans {
		iv = iv.Add(s[0], s[1])
	}
	return iv
}

// MarshalBinary encodes the intervals as varints of the gaps between
// bounds: a day's list stays a few bytes per session.
func (iv Intervals) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, len(iv)*8)
	var prev int64
	for _, s := range iv {
		b = binary.AppendVarint(b, s[0]-prev)
		b = binary.AppendVarint(b, s[1]-s[0])
		prev = s[1]
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (iv *Intervals) UnmarshalBinary(b []byte) error {
	var out Intervals
	var prev int64
	for len(b) > 0 {
		gap, n := binary.Varint(b)
		if n <= 0 {
			return errors.New("intervals: bad encoding")
		}
		b = b[n:]
		length, n := binary.Varint(b)
		if n <= 0 {
			return errors.New("intervals: bad encoding")
		}
		b = b[n:]
		out = append(out, [2]int64{prev + gap, prev + gap + length})
		prev += gap + length
	}
	*iv = out
	return nil
}
