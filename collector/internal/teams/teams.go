// Package teams is what an admin may read and change of their teams: the
// one set of rules that the JSON API and the console both call, so a role
// sees and does the same whichever way it asks.
package teams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/collector/internal/store"
	"teamlens/shared/catalog"
)

// Errors callers map to answers with Status.
var (
	ErrForbidden = errors.New("forbidden")
	ErrInvalid   = errors.New("invalid request")
)

// Status is the HTTP status of an error of this package or the store.
func Status(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, store.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// Config configures the service; zero optional fields are production.
type Config struct {
	Store   *store.Store
	Catalog *catalog.Catalog // default catalog.Builtin()
	Logger  *slog.Logger     // default discards
	Now     func() time.Time // default time.Now
	// InsightsHour is the local hour of the daily insight job, shown as the
	// next run.
	InsightsHour int
}

// Service answers admins' requests about their teams.
type Service struct{ cfg Config }

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Catalog == nil {
		cfg.Catalog = catalog.Builtin()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// Authenticate returns the admin of a bearer token.
func (s *Service) Authenticate(ctx context.Context, token string) (store.Admin, error) {
	if token == "" {
		return store.Admin{}, fmt.Errorf("missing admin token: %w", store.ErrUnauthorized)
	}
	return s.cfg.Store.AdminByToken(ctx, token, s.cfg.Now())
}

// need is what a request does with a team.
type need int

const (
	needRead   need = iota // insights, license picture, usage, audit
	needChange             // assignments
	needManage             // the team's admins and their tokens
)

// grant checks that who may do n on team and returns their role there. A
// team they hold no role on is ErrForbidden, not ErrNotFound, as the API
// always answered: whether a team exists is no secret worth a second code.
func (s *Service) grant(who store.Admin, team string, n need) (store.Grant, error) {
	g, ok := who.On(team)
	if !ok {
		return g, fmt.Errorf("no role on team %s: %w", team, ErrForbidden)
	}
	if who.ReadOnly && n != needRead {
		return g, fmt.Errorf("this token is read-only: %w", ErrForbidden)
	}
	if !allows(g.Role, n) {
		return g, fmt.Errorf("role %s may not do that on team %s: %w", g.Role, team, ErrForbidden)
	}
	return g, nil
}

// allows is the one rule of what each role may do.
func allows(role string, n need) bool {
	switch n {
	case needRead:
		return role == store.RolePrimary || role == store.RoleSecondary || role == store.RoleSSO
	case needChange:
		return role == store.RolePrimary || role == store.RoleSecondary
	case needManage:
		return role == store.RolePrimary
	}
	return false
}

// CanChange reports whether the admin may change the team's seats (and
// recompute its findings).
func (t Team) CanChange() bool { return allows(t.Role, needChange) }

// CanManage reports whether the admin may manage the team's admins.
func (t Team) CanManage() bool { return allows(t.Role, needManage) }

// Today is the collector's calendar day.
func (s *Service) Today() string { return s.cfg.Now().Format(license.DateLayout) }

// NextRun is when the daily insight job next computes a day.
func (s *Service) NextRun() time.Time {
	now := s.cfg.Now()
	next := time.Date(now.Year(), now.Month(), now.Day(), s.cfg.InsightsHour, 0, 0, 0, now.Location())
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// asOf checks an as_of query value; "" stays "" (the latest).
func asOf(v string) error {
	if v == "" {
		return nil
	}
	if _, err := time.Parse(license.DateLayout, v); err != nil {
		return fmt.Errorf("as_of is not YYYY-MM-DD: %w", ErrInvalid)
	}
	return nil
}

// Team is a team an admin may read, with their role on it.
type Team struct {
	Team           string `json:"team"`
	Name           string `json:"name"`
	Plan           string `json:"plan"`
	UserManagement string `json:"user_management"`
	Role           string `json:"role"`
	CanPurchase    bool   `json:"can_purchase"`
}

// Teams lists the teams who may read, by team id.
func (s *Service) Teams(ctx context.Context, who store.Admin) ([]Team, error) {
	pic, err := s.cfg.Store.Picture(ctx)
	if err != nil {
		return nil, err
	}
	out := []Team{}
	for _, t := range pic.Teams {
		g, err := s.grant(who, t.Team, needRead)
		if err != nil {
			continue
		}
		out = append(out, Team{Team: t.Team, Name: t.Name, Plan: t.Plan, UserManagement: t.UserManagement, Role: g.Role, CanPurchase: g.CanPurchase})
	}
	return out, nil
}

// Team returns one team who may read, with their role on it.
func (s *Service) Team(ctx context.Context, who store.Admin, team string) (Team, error) {
	g, err := s.grant(who, team, needRead)
	if err != nil {
		return Team{}, err
	}
	t, err := s.cfg.Store.Team(ctx, team)
	if err != nil {
		return Team{}, err
	}
	return Team{Team: t.Team, Name: t.Name, Plan: t.Plan, UserManagement: t.UserManagement, Role: g.Role, CanPurchase: g.CanPurchase}, nil
}
