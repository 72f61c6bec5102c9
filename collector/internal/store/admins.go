package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"teamlens/collector/internal/license"
)

// Roles of admins on a team (contract).
const (
	RolePrimary   = "primary"
	RoleSecondary = "secondary"
	RoleSSO       = "sso"
	RoleUser      = "user"
)

// ValidRole reports whether role is one of the four roles.
func ValidRole(role string) bool {
	switch role {
	case RolePrimary, RoleSecondary, RoleSSO, RoleUser:
		return true
	}
	return false
}

// Grant is one admin's role on one team.
type Grant struct {
	Team        string
	Email       string
	Role        string
	CanPurchase bool
}

// Admin is who a valid token belongs to, with every role the token
// carries: every role of the email, or for a token minted for one team the
// role on that team alone.
type Admin struct {
	Email   string
	TokenID string
	Roles   []Grant // by team
	// ReadOnly is a token scoped to reading: whatever its roles, it
	// changes nothing.
	ReadOnly bool
}

// On returns the admin's grant on team, if any.
func (a Admin) On(team string) (Grant, bool) {
	for _, g := range a.Roles {
		if g.Team == team {
			return g, true
		}
	}
	return Grant{}, false
}

// Token describes an admin token without its secret.
type Token struct {
	ID        string
	Email     string
	CreatedAt string
	ExpiresAt string // "" for never
	RevokedAt string // "" while valid
	// Team is the one team a token minted from a team's page serves; ""
	// for a token of `collector admin`, which serves every team of Email.
	Team       string
	LastUsedAt string // "" never used
	ReadOnly   bool
}

// Active reports whether the token works at now.
func (t Token) Active(now time.Time) bool {
	return t.RevokedAt == "" && (t.ExpiresAt == "" || t.ExpiresAt > stamp(now))
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateAdmin grants g (replacing the email's earlier role on that team)
// and mints a new token for the email, valid until expires (zero: never).
// It returns the token; only its hash is kept.
func (s *Store) CreateAdmin(ctx context.Context, g Grant, expires, now time.Time) (string, error) {
	if !ValidRole(g.Role) {
		return "", fmt.Errorf("role %q is not primary, secondary, sso or user", g.Role)
	}
	g.Email = strings.ToLower(strings.TrimSpace(g.Email))
	if g.Email == "" {
		return "", errors.New("email is empty")
	}
	var token string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM teams WHERE team = ?`, g.Team).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("team %q is not imported: %w", g.Team, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO admin_roles (email, team, role, can_purchase, granted_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (email, team) DO UPDATE SET role = excluded.role, can_purchase = excluded.can_purchase, granted_at = excluded.granted_at`,
			g.Email, g.Team, g.Role, boolInt(g.CanPurchase), stamp(now)); err != nil {
			return err
		}
		var id string
		token, id, err = mintToken(ctx, tx, g.Email, "", expires, now)
		if err != nil {
			return err
		}
		// The token reaches every team of the email: each one's audit says so.
		return auditEveryTeam(ctx, tx, g.Email, now, "collector admin", ActionTokenMint, "token "+id)
	})
	if err != nil {
		return "", fmt.Errorf("create admin: %w", err)
	}
	return token, nil
}

// MintToken issues a new token for an email that holds a role on team;
// the token carries that role alone, whatever other teams the email
// serves, so a team's primary can never act on another team through it.
// The mint is written to team's audit log, with actor as who did it.
func (s *Store) MintToken(ctx context.Context, email, team, actor string, readOnly bool, expires, now time.Time) (token, id string, err error) {
	email = strings.ToLower(email)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM admin_roles WHERE email = ? AND team = ?`, email, team).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%s is no admin of team %s: %w", email, team, ErrNotFound)
		}
		token, id, err = mintToken(ctx, tx, email, team, expires, now)
		if err != nil {
			return err
		}
		detail := "token " + id
		if readOnly {
			detail += " (read-only)"
			if _, err := tx.ExecContext(ctx, `UPDATE admin_tokens SET read_only = 1 WHERE id = ?`, id); err != nil {
				return err
			}
		}
		return audit(ctx, tx, team, now, actor, ActionTokenMint, "", email, detail)
	})
	return token, id, err
}

// auditEveryTeam writes one audit line to each team email holds a role on.
func auditEveryTeam(ctx context.Context, tx *sql.Tx, email string, now time.Time, actor, action, detail string) error {
	var teams []string
	rows, err := tx.QueryContext(ctx, `SELECT team FROM admin_roles WHERE email = ? ORDER BY team`, email)
	if err != nil {
		return err
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		teams = append(teams, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range teams {
		if err := audit(ctx, tx, t, now, actor, action, "", email, detail); err != nil {
			return err
		}
	}
	return nil
}

func mintToken(ctx context.Context, tx *sql.Tx, email, team string, expires, now time.Time) (token, id string, err error) {
	token, hash, err := NewToken()
	if err != nil {
		return "", "", err
	}
	var exp any
	if !expires.IsZero() {
		exp = stamp(expires)
	}
	var scope any
	if team != "" {
		scope = team
	}
	id = newID()
	_, err = tx.ExecContext(ctx, `INSERT INTO admin_tokens (id, token_hash, email, created_at, expires_at, team) VALUES (?, ?, ?, ?, ?, ?)`,
		id, hash, email, stamp(now), exp, scope)
	return token, id, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AdminByToken returns the admin a token belongs to with their roles, or
// ErrUnauthorized when the token is unknown, revoked or expired at now.
func (s *Store) AdminByToken(ctx context.Context, token string, now time.Time) (Admin, error) {
	return s.adminWhere(ctx, "token_hash", HashToken(token), now)
}

// adminWhere reads the admin of the valid token whose col is v, with the
// roles the token carries.
func (s *Store) adminWhere(ctx context.Context, col, v string, now time.Time) (Admin, error) {
	var a Admin
	var team, used string
	var readOnly int64
	err := s.db.QueryRowContext(ctx, `SELECT id, email, COALESCE(team, ''), COALESCE(last_used_at, ''), read_only FROM admin_tokens
		WHERE `+col+` = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`, v, stamp(now)).
		Scan(&a.TokenID, &a.Email, &team, &used, &readOnly)
	if errors.Is(err, sql.ErrNoRows) {
		return Admin{}, ErrUnauthorized
	}
	if err != nil {
		return Admin{}, fmt.Errorf("admin token: %w", err)
	}
	a.ReadOnly = readOnly != 0
	// Its last use, written at most once a minute: a busy script is no
	// write per request.
	if used < stamp(now.Add(-time.Minute)) {
		if _, err := s.db.ExecContext(ctx, `UPDATE admin_tokens SET last_used_at = ? WHERE id = ?`, stamp(now), a.TokenID); err != nil && !IsBusy(err) {
			return Admin{}, fmt.Errorf("admin token: %w", err)
		}
	}
	roles, err := s.Grants(ctx, a.Email)
	if err != nil {
		return Admin{}, err
	}
	a.Roles = roles
	if team != "" {
		a.Roles = []Grant{}
		for _, g := range roles {
			if g.Team == team {
				a.Roles = append(a.Roles, g)
			}
		}
	}
	return a, nil
}

// MakeReadOnly scopes the token to reading (collector admin --read-only).
func (s *Store) MakeReadOnly(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE admin_tokens SET read_only = 1 WHERE token_hash = ?`, HashToken(token)); err != nil {
		return fmt.Errorf("read-only token: %w", err)
	}
	return nil
}

// AdminByTokenID is AdminByToken for a token known by id (a console
// session), with the same checks.
func (s *Store) AdminByTokenID(ctx context.Context, id string, now time.Time) (Admin, error) {
	return s.adminWhere(ctx, "id", id, now)
}

// Grants returns the roles of an email (every email when email is ""), by
// team then email.
func (s *Store) Grants(ctx context.Context, email string) ([]Grant, error) {
	q, args := `SELECT team, email, role, can_purchase FROM admin_roles ORDER BY team, email`, []any(nil)
	if email != "" {
		q, args = `SELECT team, email, role, can_purchase FROM admin_roles WHERE email = ? ORDER BY team`, []any{email}
	}
	out := []Grant{}
	err := s.each(ctx, q, args, func(r *sql.Rows) error {
		var g Grant
		var p int64
		if err := r.Scan(&g.Team, &g.Email, &g.Role, &p); err != nil {
			return err
		}
		g.CanPurchase = p != 0
		out = append(out, g)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("admin roles: %w", err)
	}
	return out, nil
}

// Tokens lists the tokens of the given emails (of everyone when emails is
// nil), newest first.
func (s *Store) Tokens(ctx context.Context, emails []string) ([]Token, error) {
	want := map[string]bool{}
	for _, e := range emails {
		want[strings.ToLower(e)] = true
	}
	var out []Token
	err := s.each(ctx, `SELECT id, email, created_at, COALESCE(expires_at, ''), COALESCE(revoked_at, ''), COALESCE(team, ''),
		COALESCE(last_used_at, ''), read_only FROM admin_tokens
		ORDER BY created_at DESC, id`, nil, func(r *sql.Rows) error {
		var t Token
		var readOnly int64
		if err := r.Scan(&t.ID, &t.Email, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt, &t.Team, &t.LastUsedAt, &readOnly); err != nil {
			return err
		}
		t.ReadOnly = readOnly != 0
		if emails == nil || want[t.Email] {
			out = append(out, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("admin tokens: %w", err)
	}
	return out, nil
}

// RevokeTokens revokes the token whose id is who, or every token of the
// email who, and returns how many it revoked; ErrNotFound when none was
// valid.
func (s *Store) RevokeTokens(ctx context.Context, who string, now time.Time) (int, error) {
	who = strings.TrimSpace(who)
	col := "id"
	if strings.Contains(who, "@") {
		col, who = "email", strings.ToLower(who)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE admin_tokens SET revoked_at = ? WHERE `+col+` = ? AND revoked_at IS NULL`, stamp(now), who)
	if err != nil {
		return 0, fmt.Errorf("revoke admin token: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, fmt.Errorf("no valid admin token with %s %q: %w", col, who, ErrNotFound)
	}
	return int(n), nil
}

// Team returns one team of the license picture, or ErrNotFound.
func (s *Store) Team(ctx context.Context, id string) (license.Team, error) {
	t := license.Team{Team: id}
	err := s.db.QueryRowContext(ctx, `SELECT name, plan, user_management FROM teams WHERE team = ?`, id).Scan(&t.Name, &t.Plan, &t.UserManagement)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("team %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("read team: %w", err)
	}
	return t, nil
}
