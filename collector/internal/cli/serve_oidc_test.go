package cli_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"teamlens/collector/internal/cli"
)

// TestServeRefusesBadSignInConfig: a wrong --oidc-* or --trusted-proxy
// setting stops serve before it listens, with an error naming it.
func TestServeRefusesBadSignInConfig(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	writeFile(t, secret, "s3cret\n")
	empty := filepath.Join(dir, "empty")
	writeFile(t, empty, "\n")
	badKey := filepath.Join(dir, "bad-key.toml")
	writeFile(t, badKey, "[[group]]\nname = \"g\"\nteam = \"T1\"\nrole = \"primary\"\ncan_buy = true\n")
	badRole := filepath.Join(dir, "bad-role.toml")
	writeFile(t, badRole, "[[group]]\nname = \"g\"\nteam = \"T1\"\nrole = \"owner\"\n")
	base := func() cli.ServeConfig {
		return cli.ServeConfig{DB: filepath.Join(t.TempDir(), "c.db"), Listen: "127.0.0.1:0", InsightsHour: 2, Logger: discard(),
			OIDCIssuer: "https://login.example", OIDCClientID: "teamlens", OIDCSecretFile: secret}
	}
	for _, tc := range []struct {
		name string
		edit func(*cli.ServeConfig)
		want string
	}{
		{"no secret file", func(c *cli.ServeConfig) { c.OIDCSecretFile = "" }, "--oidc-client-secret-file"},
		{"missing secret file", func(c *cli.ServeConfig) { c.OIDCSecretFile = filepath.Join(dir, "none") }, "--oidc-client-secret-file"},
		{"empty secret", func(c *cli.ServeConfig) { c.OIDCSecretFile = empty }, "is empty"},
		{"no client id", func(c *cli.ServeConfig) { c.OIDCClientID = "" }, "--oidc-client-id"},
		{"issuer not a URL", func(c *cli.ServeConfig) { c.OIDCIssuer = "login.example" }, "--oidc-issuer"},
		{"client id without issuer", func(c *cli.ServeConfig) { c.OIDCIssuer = "" }, "need --oidc-issuer"},
		{"role map without claim", func(c *cli.ServeConfig) { c.OIDCRoleMap = badRole }, "go together"},
		{"unknown key in the role map", func(c *cli.ServeConfig) { c.OIDCGroupsClaim, c.OIDCRoleMap = "groups", badKey }, "unknown key group.can_buy"},
		{"unknown role in the role map", func(c *cli.ServeConfig) { c.OIDCGroupsClaim, c.OIDCRoleMap = "groups", badRole }, `role "owner"`},
		{"bad trusted proxy", func(c *cli.ServeConfig) { c.TrustedProxies = []string{"10.0.0.0/40"} }, "--trusted-proxy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.edit(&cfg)
			cfg.Ready = func(string) { t.Error("serve listened") }
			err := cli.Serve(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestServeWithOIDCStartsWhileTheProviderIsDown: discovery waits for the
// first sign-in, so the console (and its token form) serves regardless.
func TestServeWithOIDCStartsWhileTheProviderIsDown(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	writeFile(t, secret, "s3cret\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- cli.Serve(ctx, cli.ServeConfig{DB: filepath.Join(dir, "c.db"), Listen: "127.0.0.1:0", InsightsHour: 2, Logger: discard(),
			OIDCIssuer: "http://127.0.0.1:1/realms/acme", OIDCClientID: "teamlens", OIDCSecretFile: secret, OIDCName: "Acme SSO",
			Ready: func(addr string) { ready <- addr }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Sign in with Acme SSO") || !strings.Contains(string(body), `name="token"`) {
		t.Errorf("sign-in page: %d %s", resp.StatusCode, body)
	}
	resp, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get("http://" + addr + "/signin/oidc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("starting a sign-in with the provider down: %d, want 502", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestServeBelievesOnlyTrustedProxies: serve reads X-Forwarded-Proto from
// a --trusted-proxy peer alone.
func TestServeBelievesOnlyTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		trusted []string
		cookie  string
	}{{nil, "teamlens_signin="}, {[]string{"127.0.0.1/32"}, "__Host-teamlens_signin="}} {
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan string, 1)
		done := make(chan error, 1)
		go func() {
			done <- cli.Serve(ctx, cli.ServeConfig{DB: filepath.Join(t.TempDir(), "c.db"), Listen: "127.0.0.1:0", InsightsHour: 2, Logger: discard(),
				TrustedProxies: tc.trusted, Ready: func(addr string) { ready <- addr }})
		}()
		var addr string
		select {
		case addr = <-ready:
		case err := <-done:
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", "http://"+addr+"/signin", nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(got, tc.cookie) {
			t.Errorf("trusted %v: Set-Cookie %q, want %s...", tc.trusted, got, tc.cookie)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}
