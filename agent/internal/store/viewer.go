package store

import (
	"context"
	"encoding/json"
	"sort"
	"time"
)

// The queries below serve My Insights in the viewer, one user at a time.

// CommandPair is two commands a user completed one right after the other
// in one product session, and how often.
type CommandPair struct {
	First, Second string
	Count         int
}

// CommandPairs counts, over user's raw events of product since since, each
// pair of consecutive completed commands within a session: what the user
// does next after finishing a command. Repeats of one command are left
// out; they say nothing about a sequence worth a macro. The pairs come most
// frequent first, ties by name.
func (s *Store) CommandPairs(ctx context.Context, user, product string, since time.Time) ([]CommandPair, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT session, json_extract(body, '$.name') FROM events
		WHERE user = ? AND product = ? AND type = 'command' AND ts_ms >= ?
		  AND json_extract(body, '$.outcome') = 'completed'
		ORDER BY session, ts_ms, id`, user, product, since.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type pair struct{ a, b string }
	counts := map[pair]int{}
	var lastSession, last string
	for rows.Next() {
		var session, name string
		if err := rows.Scan(&session, &name); err != nil {
			return nil, err
		}
		if session == lastSession && last != "" && last != name {
			counts[pair{last, name}]++
		}
		lastSession, last = session, name
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]CommandPair, 0, len(counts))
	for p, n := range counts {
		out = append(out, CommandPair{First: p.a, Second: p.b, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		if out[i].First != out[j].First {
			return out[i].First < out[j].First
		}
		return out[i].Second < out[j].Second
	})
	return out, nil
}

// RecentEvents returns user's newest raw events, newest first, at most
// limit, and how many the store holds in all.
func (s *Store) RecentEvents(ctx context.Context, user string, limit int) ([]json.RawMessage, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE user = ?`, user).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT body FROM events WHERE user = ? ORDER BY ts_ms DESC, id DESC LIMIT ?`, user, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []json.RawMessage{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, 0, err
		}
		out = append(out, json.RawMessage(body))
	}
	return out, total, rows.Err()
}
