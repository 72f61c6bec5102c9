package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Session sources: how the admin signed in.
const (
	SourceToken = "token" // an admin token pasted into the form
	SourceOIDC  = "oidc"  // the company's identity provider
)

// Session is a console session: who it is for, how they signed in and the
// CSRF token of its forms.
type Session struct {
	// Handle names the session on pages (the hash of its cookie's value,
	// which it cannot be turned back into).
	Handle  string
	TokenID string // "" for an OIDC session
	CSRF    string
	Email   string
	Source  string
	Subject string // the ID token's sub (OIDC)
	// GroupRoles are the roles the role map gave the admin's groups at the
	// last check (OIDC).
	GroupRoles   []Grant
	RefreshToken string
	CreatedAt    time.Time
	LastSeenAt   time.Time
	CheckedAt    time.Time
	ExpiresAt    time.Time
	IdleUntil    time.Time
	UserAgent    string
	Address      string
}

// NewSession is what CreateSession opens.
type NewSession struct {
	TokenID      string // SourceToken
	Email        string
	Source       string
	Subject      string
	GroupRoles   []Grant
	RefreshToken string
	Expires      time.Time // absolute end
	IdleUntil    time.Time // end unless a request comes first
	UserAgent    string
	Address      string
}

// MaxSessionsPerToken is how many console sessions one admin token (or,
// for sessions of the identity provider, one email) keeps open: a new
// sign-in beyond it ends the oldest.
const MaxSessionsPerToken = 10

const sessionCols = `id_hash, token_id, csrf, email, source, subject, group_roles, refresh, created_at, last_seen_at, checked_at, expires_at, idle_until, user_agent, address`

// CreateSession opens a session and returns its id (the cookie's value,
// kept hashed) and CSRF token. Expired sessions are pruned with it.
func (s *Store) CreateSession(ctx context.Context, n NewSession, now time.Time) (id, csrf string, err error) {
	if n.Source == "" {
		n.Source = SourceToken
	}
	if n.IdleUntil.IsZero() || n.IdleUntil.After(n.Expires) {
		n.IdleUntil = n.Expires
	}
	n.Email = strings.ToLower(n.Email)
	id, hash, err := NewToken()
	if err != nil {
		return "", "", err
	}
	csrf, _, err = NewToken()
	if err != nil {
		return "", "", err
	}
	roles, err := groupRolesJSON(n.GroupRoles)
	if err != nil {
		return "", "", err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := pruneSessions(ctx, tx, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO console_sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			hash, n.TokenID, csrf, n.Email, n.Source, n.Subject, roles, n.RefreshToken, stamp(now), stamp(now), stamp(now),
			stamp(n.Expires), stamp(n.IdleUntil), clip(n.UserAgent, 300), clip(n.Address, 100)); err != nil {
			return err
		}
		// The cap: per token, or per email for the identity provider's sessions.
		col, key := "token_id", n.TokenID
		if n.Source != SourceToken {
			col, key = "email", n.Email
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE source = ? AND `+col+` = ? AND id_hash NOT IN (
			SELECT id_hash FROM console_sessions WHERE source = ? AND `+col+` = ? ORDER BY created_at DESC, id_hash = ? DESC LIMIT ?)`,
			n.Source, key, n.Source, key, hash, MaxSessionsPerToken)
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("create session: %w", err)
	}
	return id, csrf, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func groupRolesJSON(g []Grant) (string, error) {
	if len(g) == 0 {
		return "", nil
	}
	b, err := json.Marshal(g)
	return string(b), err
}

func pruneSessions(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, now time.Time) error {
	n := stamp(now)
	if _, err := q.ExecContext(ctx, `DELETE FROM console_sessions WHERE expires_at <= ? OR idle_until <= ?`, n, n); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `DELETE FROM oidc_flows WHERE expires_at <= ?`, n)
	return err
}

// PruneSessions deletes the sessions (and unfinished sign-ins) that have
// ended by now, idle or at their absolute end.
func (s *Store) PruneSessions(ctx context.Context, now time.Time) error {
	if err := pruneSessions(ctx, s.db, now); err != nil {
		return fmt.Errorf("prune sessions: %w", err)
	}
	return nil
}

type scanner interface{ Scan(...any) error }

func scanSession(r scanner) (Session, error) {
	var x Session
	var roles, created, seen, checked, expires, idle string
	if err := r.Scan(&x.Handle, &x.TokenID, &x.CSRF, &x.Email, &x.Source, &x.Subject, &roles, &x.RefreshToken,
		&created, &seen, &checked, &expires, &idle, &x.UserAgent, &x.Address); err != nil {
		return x, err
	}
	if roles != "" {
		if err := json.Unmarshal([]byte(roles), &x.GroupRoles); err != nil {
			return x, fmt.Errorf("session roles: %w", err)
		}
	}
	for _, p := range []struct {
		s string
		t *time.Time
	}{{created, &x.CreatedAt}, {seen, &x.LastSeenAt}, {checked, &x.CheckedAt}, {expires, &x.ExpiresAt}, {idle, &x.IdleUntil}} {
		*p.t, _ = time.Parse(time.RFC3339, p.s) // '' (a session from before 011): zero
	}
	return x, nil
}

// SessionByID returns a session that has neither expired nor gone idle at
// now, or ErrUnauthorized.
func (s *Store) SessionByID(ctx context.Context, id string, now time.Time) (Session, error) {
	n := stamp(now)
	x, err := scanSession(s.db.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM console_sessions
		WHERE id_hash = ? AND expires_at > ? AND idle_until > ?`, HashToken(id), n, n))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrUnauthorized
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	return x, nil
}

// TouchSession records a request of session id at now: it is last seen
// then and stays open until idleUntil (never beyond its absolute end).
func (s *Store) TouchSession(ctx context.Context, id string, now, idleUntil time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE console_sessions SET last_seen_at = ?,
		idle_until = CASE WHEN ? < expires_at THEN ? ELSE expires_at END WHERE id_hash = ?`,
		stamp(now), stamp(idleUntil), stamp(idleUntil), HashToken(id))
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// RecheckSession stores the outcome of re-validating an OIDC session's
// roles with the provider at now: the groups' roles and the (possibly
// rotated) refresh token.
func (s *Store) RecheckSession(ctx context.Context, id string, groupRoles []Grant, refresh string, now time.Time) error {
	roles, err := groupRolesJSON(groupRoles)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `UPDATE console_sessions SET group_roles = ?, refresh = ?, checked_at = ? WHERE id_hash = ?`,
		roles, refresh, stamp(now), HashToken(id))
	if err != nil {
		return fmt.Errorf("recheck session: %w", err)
	}
	return nil
}

// Sessions lists the live sessions at now, newest first: of the given
// emails, or every one when emails is nil.
func (s *Store) Sessions(ctx context.Context, emails []string, now time.Time) ([]Session, error) {
	want := map[string]bool{}
	for _, e := range emails {
		want[strings.ToLower(e)] = true
	}
	n := stamp(now)
	out := []Session{}
	err := s.each(ctx, `SELECT `+sessionCols+` FROM console_sessions WHERE expires_at > ? AND idle_until > ?
		ORDER BY created_at DESC, id_hash`, []any{n, n}, func(r *sql.Rows) error {
		x, err := scanSession(r)
		if err != nil {
			return err
		}
		if emails == nil || want[x.Email] {
			out = append(out, x)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	return out, nil
}

// EndSession ends the session with the given handle and reports whether
// there was one.
func (s *Store) EndSession(ctx context.Context, handle string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM console_sessions WHERE id_hash = ?`, handle)
	if err != nil {
		return false, fmt.Errorf("end session: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// EndSessionsOf ends every session of an email and returns how many.
func (s *Store) EndSessionsOf(ctx context.Context, email string) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM console_sessions WHERE email = ?`, strings.ToLower(email))
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DeleteSession ends a session, and every expired one with it.
func (s *Store) DeleteSession(ctx context.Context, id string, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM console_sessions WHERE id_hash = ?`, HashToken(id)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return s.PruneSessions(ctx, now)
}

// OIDCFlow is a sign-in with the identity provider in progress.
type OIDCFlow struct {
	Nonce    string
	Verifier string // PKCE code verifier
}

// SaveOIDCFlow keeps a started sign-in under its state until expires.
func (s *Store) SaveOIDCFlow(ctx context.Context, state string, f OIDCFlow, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO oidc_flows (state_hash, nonce, verifier, expires_at) VALUES (?, ?, ?, ?)`,
		HashToken(state), f.Nonce, f.Verifier, stamp(expires))
	if err != nil {
		return fmt.Errorf("save sign-in: %w", err)
	}
	return nil
}

// TakeOIDCFlow returns the sign-in started with state and deletes it, so
// a state is good once; ErrUnauthorized when it is unknown, used or
// expired at now.
func (s *Store) TakeOIDCFlow(ctx context.Context, state string, now time.Time) (OIDCFlow, error) {
	var f OIDCFlow
	var expires string
	err := s.db.QueryRowContext(ctx, `DELETE FROM oidc_flows WHERE state_hash = ? RETURNING nonce, verifier, expires_at`,
		HashToken(state)).Scan(&f.Nonce, &f.Verifier, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return OIDCFlow{}, ErrUnauthorized
	}
	if err != nil {
		return OIDCFlow{}, fmt.Errorf("take sign-in: %w", err)
	}
	if expires <= stamp(now) {
		return OIDCFlow{}, ErrUnauthorized
	}
	return f, nil
}

// ActionSessionEnd is the audit action of a primary admin ending a session
// of one of the team's admins.
const ActionSessionEnd = "session.end"

// EndTeamSession ends the session with the given handle, of email, on
// behalf of team's admin actor, and writes it to team's audit log; false
// when there was no such session.
func (s *Store) EndTeamSession(ctx context.Context, team, handle, email, actor string, now time.Time) (bool, error) {
	var ended bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE id_hash = ?`, handle)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if ended = n > 0; !ended {
			return nil
		}
		return audit(ctx, tx, team, now, actor, ActionSessionEnd, "", email, "console session")
	})
	if err != nil {
		return false, fmt.Errorf("end session: %w", err)
	}
	return ended, nil
}
