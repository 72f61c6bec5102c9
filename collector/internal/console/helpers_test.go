package console_test

import "teamlens/collector/internal/store"

func grant(team, email, role string) store.Grant {
	return store.Grant{Team: team, Email: email, Role: role}
}
