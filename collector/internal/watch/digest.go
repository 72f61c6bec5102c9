package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"teamlens/collector/internal/csvsafe"
	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/store"
)

// Digest mails each admin of each team, once per ISO week, what changed in
// the last 7 days, the open findings with their savings, what the reclaim
// policy did, and the findings as CSV; admins who turned it off get none.
// Without mail it does nothing.
func (w *Watcher) Digest(ctx context.Context) error {
	if !w.cfg.Mail {
		return nil
	}
	off, err := w.cfg.Store.DigestOff(ctx)
	if err != nil {
		return err
	}
	grants, err := w.cfg.Store.Grants(ctx, "")
	if err != nil {
		return err
	}
	now := w.now()
	year, week := now.ISOWeek()
	for _, g := range grants {
		if g.Role == store.RoleUser || off[g.Email] {
			continue
		}
		key := fmt.Sprintf("digest:%s:%s:%04d-W%02d", g.Team, g.Email, year, week)
		if done, err := w.cfg.Store.MessageExists(ctx, key); err != nil || done {
			if err != nil {
				return err
			}
			continue
		}
		msg, err := w.digest(ctx, g, key)
		if err != nil {
			return err
		}
		if _, err := w.cfg.Store.Enqueue(ctx, []store.Message{msg}, now); err != nil {
			return err
		}
	}
	return nil
}

func (w *Watcher) digest(ctx context.Context, g store.Grant, key string) (store.Message, error) {
	now := w.now()
	who := store.Admin{Email: g.Email, Roles: []store.Grant{g}}
	var b strings.Builder
	fmt.Fprintf(&b, "Weekly digest of team %s, %s.\n\n", g.Team, w.today())

	entries, err := w.cfg.Store.AuditSince(ctx, g.Team, now.AddDate(0, 0, -7))
	if err != nil {
		return store.Message{}, err
	}
	changes := map[string]int{}
	var reclaim []string
	for _, e := range entries {
		changes[e.Action]++
		if e.Actor == store.ReclaimActor || e.Action == store.ActionReclaimKeep {
			reclaim = append(reclaim, fmt.Sprintf("  %s %s %s %s %s", e.At[:10], e.Action, e.Subscription, e.Email, e.Detail))
		}
	}
	b.WriteString("What changed in the last 7 days:\n")
	if len(changes) == 0 {
		b.WriteString("  nothing\n")
	}
	actions := make([]string, 0, len(changes))
	for a := range changes {
		actions = append(actions, a)
	}
	sort.Strings(actions)
	for _, a := range actions {
		fmt.Fprintf(&b, "  %s: %d\n", a, changes[a])
	}
	b.WriteString("\nWhat the reclaim policy did:\n")
	if len(reclaim) == 0 {
		b.WriteString("  nothing\n")
	}
	for _, l := range reclaim {
		b.WriteString(strings.TrimRight(l, " ") + "\n")
	}

	msg := store.Message{Key: key, Team: g.Team, Kind: "digest", Channel: store.ChannelMail, Recipient: g.Email,
		Subject: fmt.Sprintf("Teamlens weekly digest: team %s", g.Team)}
	snap, err := w.cfg.Teams.Snapshot(ctx, who, g.Team, "")
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.WriteString("\nNo insights computed yet.\n")
	case err != nil:
		return msg, err
	default:
		f := snap.Insights
		fmt.Fprintf(&b, "\nOpen findings as of %s:\n", snap.AsOf)
		fmt.Fprintf(&b, "  under-assigned subscriptions: %d\n  inactive users: %d\n", len(f.UnderAssignment), len(f.InactiveUser))
		if len(f.OverAssignment) > 0 {
			fmt.Fprintf(&b, "  over-assigned subscriptions: %d\n", len(f.OverAssignment))
		}
		fmt.Fprintf(&b, "  rarely used versions: %d\n", len(f.ProductVersion))
		saving := map[string]float64{}
		for _, x := range f.UnderAssignment {
			addSaving(saving, x.Money)
		}
		for _, x := range f.InactiveUser {
			addSaving(saving, x.Money)
		}
		currencies := make([]string, 0, len(saving))
		for c := range saving {
			currencies = append(currencies, c)
		}
		sort.Strings(currencies)
		for _, c := range currencies {
			fmt.Fprintf(&b, "  could save %.2f %s a year\n", saving[c], c)
		}
		var csv bytes.Buffer
		cw := csvsafe.NewWriter(&csv)
		cw.Write(insights.CSVHeader())
		for _, r := range snap.CSVRows() {
			cw.Write(r)
		}
		cw.Flush()
		msg.AttachmentName, msg.Attachment = fmt.Sprintf("insights-%s-%s.csv", snap.Team, snap.AsOf), csv.String()
	}
	b.WriteString("\nTurn this digest off on the team's Notifications page of the console.\n")
	msg.Body = b.String()
	return msg, nil
}

func addSaving(to map[string]float64, m insights.Money) {
	if m.Currency != "" && m.YearlySaving != nil {
		to[m.Currency] += *m.YearlySaving
	}
}
