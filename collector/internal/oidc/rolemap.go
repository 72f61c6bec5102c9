package oidc

import (
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"teamlens/collector/internal/store"
)

// Mapping gives the members of one provider group a role on one team.
type Mapping struct {
	Name        string `toml:"name"`
	Team        string `toml:"team"`
	Role        string `toml:"role"`
	CanPurchase bool   `toml:"can_purchase"`
}

// RoleMap is a role map file's [[group]] entries.
type RoleMap []Mapping

// LoadRoleMap reads a role map file strictly: an unknown key, a missing
// name or team, or a role that is not one of the four is an error naming
// the entry.
func LoadRoleMap(path string) (RoleMap, error) {
	var f struct {
		Group []Mapping `toml:"group"`
	}
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		return nil, fmt.Errorf("role map %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("role map %s: unknown key %s (a [[group]] has name, team, role, can_purchase)", path, und[0])
	}
	for i, m := range f.Group {
		switch {
		case strings.TrimSpace(m.Name) == "":
			return nil, fmt.Errorf("role map %s: group %d has no name", path, i+1)
		case strings.TrimSpace(m.Team) == "":
			return nil, fmt.Errorf("role map %s: group %q has no team", path, m.Name)
		case !store.ValidRole(m.Role):
			return nil, fmt.Errorf("role map %s: group %q: role %q is not primary, secondary, sso or user", path, m.Name, m.Role)
		}
	}
	return f.Group, nil
}

// Grants returns the roles the map gives email for its groups: one per
// team, the strongest when several groups name the team, purchase
// permission when any of them grants it.
func (m RoleMap) Grants(email string, groups []string) []store.Grant {
	in := map[string]bool{}
	for _, g := range groups {
		in[g] = true
	}
	var out []store.Grant
	for _, e := range m {
		if !in[e.Name] {
			continue
		}
		out = Merge(out, []store.Grant{{Team: e.Team, Email: email, Role: e.Role, CanPurchase: e.CanPurchase}})
	}
	return out
}

var rank = map[string]int{store.RoleUser: 1, store.RoleSSO: 2, store.RoleSecondary: 3, store.RolePrimary: 4}

// Merge joins two lists of grants of one admin: per team the stronger
// role, and purchase permission if either has it; sorted by team.
func Merge(a, b []store.Grant) []store.Grant {
	out := append([]store.Grant{}, a...)
	for _, g := range b {
		found := false
		for i := range out {
			if out[i].Team == g.Team {
				found = true
				if rank[g.Role] > rank[out[i].Role] {
					out[i].Role = g.Role
				}
				out[i].CanPurchase = out[i].CanPurchase || g.CanPurchase
			}
		}
		if !found {
			out = append(out, g)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Team < out[j-1].Team; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
