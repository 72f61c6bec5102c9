package teams

import (
	"context"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/store"
)

// Activity is what the console's usage charts draw: the team's users per
// day and product, and user-days per product version, over the window.
type Activity struct {
	From, To string
	Days     []store.DayUsers
	Versions []store.VersionDays
}

// Activity returns the team's activity over the window ending on day
// (default today).
func (s *Service) Activity(ctx context.Context, who store.Admin, team, day string) (*Activity, error) {
	if _, err := s.grant(who, team, needRead); err != nil {
		return nil, err
	}
	if err := asOf(day); err != nil {
		return nil, err
	}
	if day == "" {
		day = s.Today()
	}
	from, _ := insights.WindowStart(day)
	days, versions, err := s.cfg.Store.Activity(ctx, team, from, day)
	if err != nil {
		return nil, err
	}
	return &Activity{From: from, To: day, Days: days, Versions: versions}, nil
}
