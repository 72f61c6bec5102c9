package oidc_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"teamlens/collector/internal/oidc"
	"teamlens/collector/internal/store"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "roles.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoleMapGrantsTheStrongestRolePerTeam(t *testing.T) {
	m, err := oidc.LoadRoleMap(write(t, `
[[group]]
name = "readers"
team = "T1"
role = "sso"
can_purchase = true
[[group]]
name = "leads"
team = "T1"
role = "primary"
[[group]]
name = "bolt"
team = "T2"
role = "user"
`))
	if err != nil {
		t.Fatal(err)
	}
	got := m.Grants("a@x.example", []string{"bolt", "readers", "leads", "strangers"})
	want := []store.Grant{{Team: "T1", Email: "a@x.example", Role: "primary", CanPurchase: true}, {Team: "T2", Email: "a@x.example", Role: "user"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grants %+v, want %+v", got, want)
	}
	if got := m.Grants("a@x.example", nil); len(got) != 0 {
		t.Errorf("no groups: %+v", got)
	}
	// A collector admin grant and a group's role add up the same way.
	merged := oidc.Merge([]store.Grant{{Team: "T2", Email: "a@x.example", Role: "secondary"}}, want)
	if merged[1].Role != "secondary" || merged[0].Role != "primary" || len(merged) != 2 {
		t.Errorf("merged %+v", merged)
	}
}

func TestRoleMapIsStrict(t *testing.T) {
	for body, want := range map[string]string{
		"[[group]]\nteam = \"T1\"\nrole = \"sso\"\n":                             "has no name",
		"[[group]]\nname = \"g\"\nrole = \"sso\"\n":                              "has no team",
		"[[group]]\nname = \"g\"\nteam = \"T1\"\nrole = \"admin\"\n":             `role "admin"`,
		"[[group]]\nname = \"g\"\nteam = \"T1\"\nrole = \"sso\"\npurchase = 1\n": "unknown key",
		"[[groups]]\nname = \"g\"\n":                                             "unknown key",
		"[[group]\n":                                                             "role map",
	} {
		if _, err := oidc.LoadRoleMap(write(t, body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", body, err, want)
		}
	}
}
