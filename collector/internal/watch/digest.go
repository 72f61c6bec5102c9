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

// Digest mails each admin, once per ISO week, one digest of all the
// teams they administer, a section per team: what changed in the last 7
// days, the open findings with their savings, what the reclaim policy did;
// the findings of every team attached as one CSV. Admins who turned it off
// get none. Without mail it does nothing.
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
	var order []string
	byAdmin := map[string][]store.Grant{} // by team, as Grants lists them
	for _, g := range grants {
		if g.Role == store.RoleUser || off[g.Email] {
			continue
		}
		if byAdmin[g.Email] == nil {
			order = append(order, g.Email)
		}
		byAdmin[g.Email] = append(byAdmin[g.Email], g)
	}
	sort.Strings(order)
	for _, email := range order {
		key := fmt.Sprintf("digest:%s:%04d-W%02d", email, year, week)
		if done, err := w.cfg.Store.MessageExists(ctx, key); err != nil || done {
			if err != nil {
				return err
			}
			continue
		}
		msg, err := w.digest(ctx, byAdmin[email], key)
		if err != nil {
			return err
		}
		if _, err := w.cfg.Store.Enqueue(ctx, []store.Message{msg}, now); err != nil {
			return err
		}
	}
	return nil
}

// digest is the weekly mail of one admin, whose grants (one a team, in
// team order) are gs.
func (w *Watcher) digest(ctx context.Context, gs []store.Grant, key string) (store.Message, error) {
	email := gs[0].Email
	names := make([]string, 0, len(gs))
	for _, g := range gs {
		names = append(names, g.Team)
	}
	msg := store.Message{Key: key, Team: gs[0].Team, Kind: "digest", Channel: store.ChannelMail, Recipient: email}
	var b strings.Builder
	if len(gs) == 1 {
		msg.Subject = fmt.Sprintf("Teamlens weekly digest: team %s", gs[0].Team)
		fmt.Fprintf(&b, "Weekly digest of team %s, %s.\n", gs[0].Team, w.today())
	} else {
		msg.Subject = fmt.Sprintf("Teamlens weekly digest: %d teams", len(gs))
		fmt.Fprintf(&b, "Weekly digest of teams %s, %s.\n", strings.Join(names, ", "), w.today())
	}
	var csv bytes.Buffer
	cw := csvsafe.NewWriter(&csv)
	rows := 0
	var asOf string
	for _, g := range gs {
		if len(gs) > 1 {
			fmt.Fprintf(&b, "\n== Team %s ==\n", g.Team)
		}
		b.WriteString("\n")
		snap, err := w.digestTeam(ctx, &b, g)
		if err != nil {
			return msg, err
		}
		if snap == nil {
			continue
		}
		if rows == 0 {
			cw.Write(insights.CSVHeader())
		}
		for _, r := range snap.CSVRows() {
			cw.Write(r)
		}
		rows++
		asOf = max(asOf, snap.AsOf)
	}
	cw.Flush()
	if rows > 0 {
		msg.AttachmentName = fmt.Sprintf("insights-%s-%s.csv", strings.Join(names, "-"), asOf)
		if len(gs) > 1 {
			msg.AttachmentName = fmt.Sprintf("insights-%s.csv", asOf)
		}
		msg.Attachment = csv.String()
	}
	b.WriteString("\nTurn this digest off on a team's Notifications page of the console.\n")
	msg.Body = b.String()
	return msg, nil
}

// digestTeam writes the section of team g.Team and returns its snapshot
// as g's admin sees it, nil when none is computed yet.
func (w *Watcher) digestTeam(ctx context.Context, b *strings.Builder, g store.Grant) (*insights.Snapshot, error) {
	who := store.Admin{Email: g.Email, Roles: []store.Grant{g}}
	entries, err := w.cfg.Store.AuditSince(ctx, g.Team, w.now().AddDate(0, 0, -7))
	if err != nil {
		return nil, err
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
		fmt.Fprintf(b, "  %s: %d\n", a, changes[a])
	}
	b.WriteString("\nWhat the reclaim policy did:\n")
	if len(reclaim) == 0 {
		b.WriteString("  nothing\n")
	}
	for _, l := range reclaim {
		b.WriteString(strings.TrimRight(l, " ") + "\n")
	}

	snap, err := w.cfg.Teams.Snapshot(ctx, who, g.Team, "")
	if errors.Is(err, store.ErrNotFound) {
		b.WriteString("\nNo insights computed yet.\n")
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f := snap.Insights
	fmt.Fprintf(b, "\nOpen findings as of %s:\n", snap.AsOf)
	fmt.Fprintf(b, "  under-assigned subscriptions: %d\n  inactive users: %d\n", len(f.UnderAssignment), len(f.InactiveUser))
	if len(f.OverAssignment) > 0 {
		fmt.Fprintf(b, "  over-assigned subscriptions: %d\n", len(f.OverAssignment))
	}
	fmt.Fprintf(b, "  rarely used versions: %d\n", len(f.ProductVersion))
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
		fmt.Fprintf(b, "  could save %.2f %s a year\n", saving[c], c)
	}
	return snap, nil
}

func addSaving(to map[string]float64, m insights.Money) {
	if m.Currency != "" && m.YearlySaving != nil {
		to[m.Currency] += *m.YearlySaving
	}
}
