package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
)

var newToken = regexp.MustCompile(`<code data-new-token>([^<]+)</code>`)

// The attack of issue 26 (1): T1's primary mints, on T1's admins page, a
// token for an email that is also T2's purchasing primary, then uses it on
// T2. The token must carry the T1 role alone.
func TestMintedTokenCarriesOnlyTheMintingTeamsRole(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			s := newSite(t, eng.DSN(t), siteOptions{})
			ctx := context.Background()
			// olga, T2's primary, also holds a secondary role on T1.
			olgaCLI, err := s.st.CreateAdmin(ctx, store.Grant{Team: "T1", Email: "olga@bolt.example", Role: "secondary"}, time.Time{}, s.now())
			if err != nil {
				t.Fatal(err)
			}
			pat := s.browser()
			pat.signIn(s.tokens["primary"])
			pat.get("/teams/T1/admins")
			resp, body := pat.post("/teams/T1/admins/tokens", url.Values{"email": {"olga@bolt.example"}, "days": {"1"}})
			m := newToken.FindStringSubmatch(body)
			if resp.StatusCode != http.StatusOK || m == nil {
				t.Fatalf("mint: %d %s", resp.StatusCode, body)
			}
			minted := m[1]

			api := func(path string) int {
				req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+minted)
				r, err := s.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				return r.StatusCode
			}
			for _, p := range []string{"/v1/teams/T2", "/v1/teams/T2/insights", "/v1/teams/T2/audit"} {
				if got := api(p); got != http.StatusForbidden {
					t.Errorf("minted T1 token on %s: %d, want 403", p, got)
				}
			}
			if got := api("/v1/teams/T1"); got != http.StatusOK {
				t.Errorf("minted token on its own team: %d", got)
			}
			attacker := s.browser()
			attacker.signIn(minted)
			for _, p := range []string{"/teams/T2", "/teams/T2/admins", "/teams/T2/usage"} {
				if resp, _ := attacker.get(p); resp.StatusCode != http.StatusForbidden {
					t.Errorf("console %s with the minted token: %d, want 403", p, resp.StatusCode)
				}
			}
			if _, body := attacker.get("/teams"); strings.Contains(body, "/teams/T2") {
				t.Error("the minted token lists T2")
			}
			// Minting T2's tokens through it: refused.
			if resp, _ := attacker.post("/teams/T2/admins/tokens", url.Values{"email": {"olga@bolt.example"}, "days": {"1"}}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("mint on T2 with the minted token: %d", resp.StatusCode)
			}
			// The mint is in the audit of T1, the one team the token reaches,
			// under who did it.
			audit, err := s.st.Audit(ctx, "T1", 50)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range audit {
				found = found || (e.Action == store.ActionTokenMint && e.Actor == "pat@acme.example" && e.Email == "olga@bolt.example")
			}
			if !found {
				t.Errorf("T1's audit lacks pat's mint: %+v", audit)
			}
			// A `collector admin` token serves every team of its email: its
			// mint is in each one's audit.
			for _, team := range []string{"T1", "T2"} {
				audit, _ := s.st.Audit(ctx, team, 50)
				n := 0
				for _, e := range audit {
					if e.Action == store.ActionTokenMint && e.Email == "olga@bolt.example" && e.Actor == "collector admin" {
						n++
					}
				}
				if n == 0 {
					t.Errorf("%s's audit lacks the CLI mint of olga's token", team)
				}
			}
			_ = olgaCLI
		})
	}
}

// A primary of T1 cannot revoke a token that also serves T2 (olga's
// `collector admin` token), and a token of another team's admin answers as
// an unknown one: no token id -> owner oracle.
func TestRevokeStaysInsideTheTeam(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			s := newSite(t, eng.DSN(t), siteOptions{})
			ctx := context.Background()
			if _, err := s.st.CreateAdmin(ctx, store.Grant{Team: "T1", Email: "olga@bolt.example", Role: "secondary"}, time.Time{}, s.now()); err != nil {
				t.Fatal(err)
			}
			tokens, err := s.st.Tokens(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			var olga, cleo string
			for _, tk := range tokens {
				switch tk.Email {
				case "olga@bolt.example":
					olga = tk.ID
				case "cleo@classic.example":
					cleo = tk.ID
				}
			}
			pat := s.browser()
			pat.signIn(s.tokens["primary"])
			pat.get("/teams/T1/admins")
			if resp, _ := pat.post("/teams/T1/admins/tokens/"+olga+"/revoke", nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("T1 revokes a token serving T2: %d, want 403", resp.StatusCode)
			}
			req, _ := http.NewRequest("GET", s.srv.URL+"/v1/teams/T2", nil)
			req.Header.Set("Authorization", "Bearer "+s.tokens["other"])
			if r, err := s.srv.Client().Do(req); err != nil || r.StatusCode != http.StatusOK {
				t.Errorf("T2's primary after T1's attempt: %v %v", r.StatusCode, err)
			}
			unknown, body1 := pat.post("/teams/T1/admins/tokens/0000000000000000/revoke", nil)
			other, body2 := pat.post("/teams/T1/admins/tokens/"+cleo+"/revoke", nil)
			if unknown.StatusCode != other.StatusCode || strings.Contains(body2, "cleo") ||
				strings.ReplaceAll(body1, "0000000000000000", "X") != strings.ReplaceAll(body2, cleo, "X") {
				t.Errorf("revoke of another team's token differs from an unknown one: %d %d\n%s", unknown.StatusCode, other.StatusCode, body2)
			}
		})
	}
}
