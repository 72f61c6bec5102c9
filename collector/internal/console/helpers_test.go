package console_test

import (
	"net/url"
	"testing"

	"teamlens/collector/internal/store"
)

func grant(team, email, role string) store.Grant {
	return store.Grant{Team: team, Email: email, Role: role}
}

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
