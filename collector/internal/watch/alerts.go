package watch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
)

// EndingDays are the days before a subscription's end at which it is told.
var endingDays = []int{30, 60, 90}

// Alerts tells each team, once per occurrence: a running subscription
// with SeatsPercent of its seats assigned, or all of them (pool full);
// one ending in 90, 60 or 30 days; a new over-assignment (to admins who
// may purchase alone, as the finding); a device silent for SilentDays.
func (w *Watcher) Alerts(ctx context.Context) error {
	pic, err := w.cfg.Store.Picture(ctx)
	if err != nil {
		return err
	}
	today := w.today()
	now := w.now()
	assigned := map[string]int64{}
	for _, a := range pic.Assignments {
		if a.AssignedOn <= today {
			assigned[a.Subscription]++
		}
	}
	d, _ := time.Parse(license.DateLayout, today)
	for _, t := range pic.Teams {
		who, err := w.audience(ctx, t.Team)
		if err != nil {
			return err
		}
		holding := map[string]bool{}
		open := func(key, kind, subject, body string, mails []string, hooks []store.Webhook) error {
			holding[key] = true
			_, err := w.cfg.Store.OpenAlert(ctx, t.Team, key, today, func(on string) []store.Message {
				return w.fanout(key+":"+on, t.Team, kind, subject, body, mails, hooks)
			}, now)
			return err
		}
		for _, x := range pic.Subscriptions {
			if x.Team != t.Team {
				continue
			}
			n := assigned[x.Subscription]
			if x.ActiveOn(today) && x.Seats > 0 {
				if n >= x.Seats {
					if err := open("alert.full:"+x.Subscription, "alert.full",
						fmt.Sprintf("%s: all %d seats of %s are assigned", x.Product, x.Seats, x.Subscription),
						fmt.Sprintf("Every seat of subscription %s (%s, team %s) is assigned: %d of %d. The next user needs a seat freed or bought.",
							x.Subscription, x.Product, t.Team, n, x.Seats), emails(who.admins), who.hooks); err != nil {
						return err
					}
				} else if n*100 >= int64(w.cfg.SeatsPercent)*x.Seats {
					if err := open("alert.seats:"+x.Subscription, "alert.seats",
						fmt.Sprintf("%s: %d of %d seats of %s are assigned", x.Product, n, x.Seats, x.Subscription),
						fmt.Sprintf("Subscription %s (%s, team %s) has %d of %d seats assigned, %d%% or more.",
							x.Subscription, x.Product, t.Team, n, x.Seats, w.cfg.SeatsPercent), emails(who.admins), who.hooks); err != nil {
						return err
					}
				}
				end, err := time.Parse(license.DateLayout, x.End)
				if err == nil {
					left := int(end.Sub(d).Hours() / 24)
					for _, days := range endingDays {
						if left > days {
							continue
						}
						key := fmt.Sprintf("alert.ending:%s:%s:%d", x.Subscription, x.End, days)
						msgs := w.fanout(key, t.Team, "alert.ending",
							fmt.Sprintf("%s: subscription %s ends in %d days, on %s", x.Product, x.Subscription, left, x.End),
							fmt.Sprintf("Subscription %s (%s, team %s, %d seats, %d assigned) ends on %s: in %d days.",
								x.Subscription, x.Product, t.Team, x.Seats, n, x.End, left), emails(who.admins), who.hooks)
						if _, err := w.cfg.Store.Enqueue(ctx, msgs, now); err != nil {
							return err
						}
						break
					}
				}
			}
			if x.Channel == "online" && x.End < today && n > 0 {
				var users []string
				for _, a := range pic.Assignments {
					if a.Subscription == x.Subscription {
						users = append(users, a.Email)
					}
				}
				// As the finding, an over-assignment is for who may purchase.
				if err := open("alert.over:"+x.Subscription, "alert.over",
					fmt.Sprintf("%s: subscription %s ended on %s and still has %d seats assigned", x.Product, x.Subscription, x.End, n),
					fmt.Sprintf("Online subscription %s (%s, team %s) ended on %s; these users still hold its seats: %s.",
						x.Subscription, x.Product, t.Team, x.End, strings.Join(users, ", ")), emails(who.purchaser), nil); err != nil {
					return err
				}
			}
		}
		if err := w.cfg.Store.CloseAlerts(ctx, t.Team, holding); err != nil {
			return err
		}
	}
	return w.silent(ctx, now)
}

// silentHorizonDays bounds how long a silent device is looked at: one
// gone for longer was told of long ago (and its message may be pruned).
const silentHorizonDays = 90

// silent tells the teams whose users a device reported that it stopped
// reporting; once per silence (a new upload starts another).
func (w *Watcher) silent(ctx context.Context, now time.Time) error {
	devices, err := w.cfg.Store.SilentDevices(ctx, now.AddDate(0, 0, -silentHorizonDays), now.AddDate(0, 0, -w.cfg.SilentDays))
	if err != nil {
		return err
	}
	for _, dv := range devices {
		for _, team := range dv.Teams {
			who, err := w.audience(ctx, team)
			if err != nil {
				return err
			}
			key := "alert.silent:" + dv.ID + ":" + dv.LastUpload
			msgs := w.fanout(key, team, "alert.silent",
				fmt.Sprintf("Device %s has not reported for %d days", dv.Hostname, w.cfg.SilentDays),
				fmt.Sprintf("Device %s (%s), which reported users of team %s, last uploaded at %s. Its agent may be stopped, uninstalled or offline.",
					dv.Hostname, dv.ID, team, dv.LastUpload), emails(who.admins), who.hooks)
			if _, err := w.cfg.Store.Enqueue(ctx, msgs, now); err != nil {
				return err
			}
		}
	}
	return nil
}
