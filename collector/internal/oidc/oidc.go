// Package oidc signs console admins in with the company's OpenID Connect
// provider: the authorization code flow with PKCE, state and nonce, the ID
// token verified by github.com/coreos/go-oidc against the issuer's keys,
// and the provider's groups mapped to Teamlens roles by a TOML role map.
package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config configures a Client.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is the callback the provider sends the browser back to;
	// "" derives it from each request (see console).
	RedirectURL string
	// GroupsClaim names the ID token claim holding the admin's groups; ""
	// uses no groups.
	GroupsClaim string
	// RoleMap is the TOML file mapping groups to roles, re-read at every
	// sign-in and re-check; "" maps none.
	RoleMap string
	// Name is what "Sign in with ..." says; default the issuer's host.
	Name string
	// HTTPClient reaches the provider; default http.DefaultClient with a
	// 10 s timeout.
	HTTPClient *http.Client
	Now        func() time.Time
}

// Client talks to one provider. Its discovery document is fetched on first
// use and kept once it was read, so a collector starts while its provider
// is down.
type Client struct {
	cfg      Config
	mu       sync.Mutex
	provider *gooidc.Provider
}

// Identity is who the provider says signed in.
type Identity struct {
	Subject      string
	Email        string
	Groups       []string
	RefreshToken string
}

// Refusal is a sign-in the provider's answer does not allow: Reason says
// why, without secrets, for the page and the log.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

func refuse(format string, a ...any) error { return &Refusal{Reason: fmt.Sprintf(format, a...)} }

// IsRefusal reports whether err is a Refusal and returns its reason.
func IsRefusal(err error) (string, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason, true
	}
	return "", false
}

// New checks cfg and returns a client; it does not reach the provider.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("--oidc-issuer %q is not an http(s) URL", cfg.Issuer)
	}
	if cfg.ClientID == "" {
		return nil, errors.New("--oidc-client-id is empty")
	}
	if cfg.ClientSecret == "" {
		return nil, errors.New("the OIDC client secret is empty")
	}
	if cfg.RedirectURL != "" {
		if r, err := url.Parse(cfg.RedirectURL); err != nil || (r.Scheme != "https" && r.Scheme != "http") || r.Host == "" {
			return nil, fmt.Errorf("--oidc-redirect-url %q is not an http(s) URL", cfg.RedirectURL)
		}
	}
	if (cfg.RoleMap != "") != (cfg.GroupsClaim != "") {
		return nil, errors.New("--oidc-groups-claim and --oidc-role-map go together")
	}
	if cfg.RoleMap != "" {
		if _, err := LoadRoleMap(cfg.RoleMap); err != nil {
			return nil, err
		}
	}
	if cfg.Name == "" {
		cfg.Name = u.Host
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg}, nil
}

// ReadSecret reads a client secret file: its first line, trimmed.
func ReadSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--oidc-client-secret-file: %w", err)
	}
	s, _, _ := strings.Cut(string(b), "\n")
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("--oidc-client-secret-file %s is empty", path)
	}
	return s, nil
}

// Name is what the sign-in page's button names.
func (c *Client) Name() string { return c.cfg.Name }

// RedirectURL is the configured callback, or "".
func (c *Client) RedirectURL() string { return c.cfg.RedirectURL }

// RoleMap returns the role map file's mappings, read now (nil without one).
func (c *Client) RoleMap() (RoleMap, error) {
	if c.cfg.RoleMap == "" {
		return nil, nil
	}
	return LoadRoleMap(c.cfg.RoleMap)
}

func (c *Client) ctx(ctx context.Context) context.Context {
	return gooidc.ClientContext(ctx, c.cfg.HTTPClient)
}

func (c *Client) discover(ctx context.Context) (*gooidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	// The key set keeps the context it was made with: not the request's.
	p, err := gooidc.NewProvider(c.ctx(context.WithoutCancel(ctx)), c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("identity provider %s: %w", c.cfg.Issuer, err)
	}
	c.provider = p
	return p, nil
}

func (c *Client) oauth(p *gooidc.Provider, redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirect, Scopes: []string{gooidc.ScopeOpenID, "email", "profile", gooidc.ScopeOfflineAccess}}
}

// AuthURL is where a sign-in starts: the provider's authorization endpoint
// with state, nonce and the PKCE challenge of verifier.
func (c *Client) AuthURL(ctx context.Context, redirect, state, nonce, verifier string) (string, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return "", err
	}
	return c.oauth(p, redirect).AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Exchange ends a sign-in: it trades code for tokens with the PKCE
// verifier, verifies the ID token (signature by the issuer's keys, issuer,
// audience, expiry) and its nonce, and returns the identity when the email
// is verified.
func (c *Client) Exchange(ctx context.Context, redirect, code, verifier, nonce string) (Identity, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	tok, err := c.oauth(p, redirect).Exchange(c.ctx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Identity{}, refuse("the identity provider refused the sign-in code (%s)", re.ErrorCode)
		}
		return Identity{}, fmt.Errorf("token endpoint: %w", err)
	}
	id, err := c.verify(ctx, p, tok)
	if err != nil {
		return Identity{}, err
	}
	if id.token.Nonce == "" || id.token.Nonce != nonce {
		return Identity{}, refuse("the ID token's nonce is not the one this sign-in sent")
	}
	return id.Identity, nil
}

type verified struct {
	Identity
	token *gooidc.IDToken
}

func (c *Client) verify(ctx context.Context, p *gooidc.Provider, tok *oauth2.Token) (verified, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return verified{}, refuse("the identity provider sent no ID token")
	}
	t, err := p.VerifierContext(c.ctx(ctx), &gooidc.Config{ClientID: c.cfg.ClientID, Now: c.cfg.Now}).Verify(c.ctx(ctx), raw)
	if err != nil {
		var exp *gooidc.TokenExpiredError
		if errors.As(err, &exp) {
			return verified{}, refuse("the ID token has expired")
		}
		return verified{}, refuse("the ID token did not verify: %v", err)
	}
	id, err := c.identity(t.Claims)
	if err != nil {
		return verified{}, err
	}
	id.Subject = t.Subject
	id.RefreshToken = tok.RefreshToken
	return verified{Identity: id, token: t}, nil
}

// identity reads email, email_verified and the groups claim.
func (c *Client) identity(claims func(any) error) (Identity, error) {
	var all map[string]any
	if err := claims(&all); err != nil {
		return Identity{}, refuse("the ID token's claims are unreadable")
	}
	email, _ := all["email"].(string)
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return Identity{}, refuse("the ID token has no email claim")
	}
	verifiedEmail := false
	switch v := all["email_verified"].(type) {
	case bool:
		verifiedEmail = v
	case string: // some providers send "true"
		verifiedEmail = v == "true"
	}
	if !verifiedEmail {
		return Identity{}, refuse("the identity provider has not verified the email %s", email)
	}
	id := Identity{Email: email}
	if c.cfg.GroupsClaim != "" {
		switch v := all[c.cfg.GroupsClaim].(type) {
		case []any:
			for _, g := range v {
				if s, ok := g.(string); ok {
					id.Groups = append(id.Groups, s)
				}
			}
		case string:
			id.Groups = []string{v}
		}
	}
	return id, nil
}

// Refresh re-validates a session with the provider: a refresh token grant
// whose new ID token (or, when the provider sends none, the userinfo
// endpoint) says who and in which groups the admin is now. A session
// without a refresh token, or one the provider refuses, is a Refusal.
func (c *Client) Refresh(ctx context.Context, refresh, subject string) (Identity, error) {
	if refresh == "" {
		return Identity{}, refuse("the identity provider gave this session no refresh token")
	}
	p, err := c.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	ts := c.oauth(p, "").TokenSource(c.ctx(ctx), &oauth2.Token{RefreshToken: refresh, Expiry: time.Unix(1, 0)})
	tok, err := ts.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Identity{}, refuse("the identity provider refused to renew the session (%s)", re.ErrorCode)
		}
		return Identity{}, fmt.Errorf("token endpoint: %w", err)
	}
	var id Identity
	if raw, _ := tok.Extra("id_token").(string); raw != "" {
		v, err := c.verify(ctx, p, tok)
		if err != nil {
			return Identity{}, err
		}
		id = v.Identity
	} else {
		info, err := p.UserInfo(c.ctx(ctx), oauth2.StaticTokenSource(tok))
		if err != nil {
			return Identity{}, fmt.Errorf("userinfo: %w", err)
		}
		if id, err = c.identity(info.Claims); err != nil {
			return Identity{}, err
		}
		id.Subject = info.Subject
	}
	if id.Subject != subject {
		return Identity{}, refuse("the identity provider renewed the session for another subject")
	}
	id.RefreshToken = tok.RefreshToken
	if id.RefreshToken == "" {
		id.RefreshToken = refresh
	}
	return id, nil
}
