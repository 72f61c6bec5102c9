package console_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// provider is a real OpenID provider on loopback for the tests: discovery,
// JWKS, an authorization endpoint that signs in its current user at once,
// and a token endpoint for authorization codes (single use, PKCE S256
// checked, client authenticated) and refresh tokens, signing RS256 ID
// tokens with a key made for the test.
type provider struct {
	t        testing.TB
	srv      *httptest.Server
	base     string // the issuer: the server's URL, or it under another host name
	key      *rsa.PrivateKey
	kid      string
	clientID string
	secret   string
	now      func() time.Time

	mu      sync.Mutex
	users   map[string]*opUser // by sub
	current string             // sub of who signs in at /authorize
	codes   map[string]*opGrant
	refresh map[string]*opGrant
	// tamper, if set, changes an ID token's claims before it is signed.
	tamper func(claims map[string]any)
	// signWith, if set, signs ID tokens with another key (under our kid).
	signWith *rsa.PrivateKey
	// exchanges counts successful code exchanges.
	exchanges int
	// refreshes counts refresh token grants.
	refreshes int
	// loginPage makes /authorize show a page whose button signs in, as a
	// real provider's login page does: the way back to the collector then
	// starts on the provider's site.
	loginPage bool
}

type opUser struct {
	Sub, Email string
	Verified   bool
	Groups     []string
	Disabled   bool
}

type opGrant struct {
	sub, nonce, challenge, redirect string
	used                            bool
}

var (
	keyOnce sync.Once
	keys    [2]*rsa.PrivateKey
)

// testKeys are two RSA keys, made once for the package's tests.
func testKeys(t testing.TB) [2]*rsa.PrivateKey {
	keyOnce.Do(func() {
		for i := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			keys[i] = k
		}
	})
	return keys
}

func newProvider(t testing.TB, now func() time.Time) *provider {
	p := &provider{t: t, key: testKeys(t)[0], kid: "k1", clientID: "teamlens", secret: "s3cret-of-the-client", now: now,
		users: map[string]*opUser{}, codes: map[string]*opGrant{}, refresh: map[string]*opGrant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("POST /login", p.authorize)
	p.srv = httptest.NewServer(mux)
	p.base = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) issuer() string { return p.base }

// user adds (or replaces) a user and makes them the one who signs in.
func (p *provider) user(u opUser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cp := u
	p.users[u.Sub] = &cp
	p.current = u.Sub
}

// change edits a user in the directory.
func (p *provider) change(sub string, f func(*opUser)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p.users[sub])
}

func (p *provider) setTamper(f func(map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = f
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (p *provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{
		"issuer": p.issuer(), "authorization_endpoint": p.issuer() + "/authorize", "token_endpoint": p.issuer() + "/token",
		"jwks_uri": p.issuer() + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
	})
}

func (p *provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: p.kid, Algorithm: "RS256", Use: "sig"}}})
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (p *provider) authorize(w http.ResponseWriter, r *http.Request) {
	if p.loginPage && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Acme login</title><form method="post" action="/login?%s"><button id="login">Sign in to Acme</button></form>`,
			html.EscapeString(r.URL.RawQuery))
		return
	}
	q := r.URL.Query()
	if q.Get("client_id") != p.clientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	code := randomString()
	p.codes[code] = &opGrant{sub: p.current, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	p.mu.Unlock()
	u, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	v := u.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != p.clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.secret)) != 1 {
		writeJSON(w, 401, map[string]string{"error": "invalid_client"})
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var g *opGrant
	switch r.PostFormValue("grant_type") {
	case "authorization_code":
		g = p.codes[r.PostFormValue("code")]
		if g == nil || g.used || g.redirect != r.PostFormValue("redirect_uri") {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
			return
		}
		g.used = true // a code is good once
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "PKCE"})
			return
		}
		p.exchanges++
	case "refresh_token":
		g = p.refresh[r.PostFormValue("refresh_token")]
		if g == nil {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
			return
		}
		delete(p.refresh, r.PostFormValue("refresh_token")) // rotated
		p.refreshes++
		g = &opGrant{sub: g.sub} // no nonce on a refresh
	default:
		writeJSON(w, 400, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	u := p.users[g.sub]
	if u == nil || u.Disabled {
		writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
		return
	}
	now := p.now()
	claims := map[string]any{"iss": p.issuer(), "sub": u.Sub, "aud": p.clientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"email": u.Email, "email_verified": u.Verified, "groups": u.Groups}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if p.tamper != nil {
		p.tamper(claims)
	}
	idToken := p.sign(claims)
	rt := randomString()
	p.refresh[rt] = &opGrant{sub: u.Sub}
	writeJSON(w, 200, map[string]any{"access_token": randomString(), "token_type": "Bearer", "expires_in": 300,
		"refresh_token": rt, "id_token": idToken})
}

func (p *provider) sign(claims map[string]any) string {
	key := p.key
	if p.signWith != nil {
		key = p.signWith
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: p.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		p.t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		p.t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}
