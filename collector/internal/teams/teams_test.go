package teams_test

import (
	"fmt"
	"net/http"
	"teamlens/internal/testenv"
	"testing"
	"time"

	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
)

func TestStatus(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, 200},
		{fmt.Errorf("x: %w", store.ErrUnauthorized), http.StatusUnauthorized},
		{fmt.Errorf("x: %w", teams.ErrForbidden), http.StatusForbidden},
		{fmt.Errorf("x: %w", store.ErrNotFound), http.StatusNotFound},
		{fmt.Errorf("x: %w", store.ErrConflict), http.StatusConflict},
		{fmt.Errorf("x: %w", teams.ErrInvalid), http.StatusBadRequest},
		{fmt.Errorf("disk on fire"), http.StatusInternalServerError},
	} {
		if got := teams.Status(tt.err); got != tt.want {
			t.Errorf("Status(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestNextRun(t *testing.T) {
	at := func(h, m int) time.Time { return testenv.At(time.Date(2026, 11, 27, h, m, 0, 0, time.UTC)) }
	for _, tt := range []struct {
		now, want time.Time
	}{
		{at(1, 59), at(2, 0)},
		{at(2, 0), at(2, 0).AddDate(0, 0, 1)},
		{at(23, 0), at(2, 0).AddDate(0, 0, 1)},
	} {
		svc := teams.New(teams.Config{InsightsHour: 2, Now: func() time.Time { return tt.now }})
		if got := svc.NextRun(); !got.Equal(tt.want) {
			t.Errorf("NextRun at %s = %s, want %s", tt.now, got, tt.want)
		}
	}
}
