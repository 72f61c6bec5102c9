package localapi

import (
	"context"
	"encoding/json"
	"time"

	"teamlens/agent/internal/store"
	"teamlens/shared/config"
	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

// Consents is the callers' consent and the policy over it.
type Consents interface {
	Policy(ctx context.Context) (config.Policy, error)
	Consent(ctx context.Context, user string) (bool, error)
	SetConsent(ctx context.Context, user string, on bool) error
	WithdrawConsent(ctx context.Context, user string) error
}

// UserData is what the store holds about one user: the day records My
// Insights is computed from, the raw events, the export, and forgetting.
type UserData interface {
	Days(ctx context.Context, user, from, to string) ([]wire.Day, error)
	CommandPairs(ctx context.Context, user, product string, since time.Time) ([]store.CommandPair, error)
	RecentEvents(ctx context.Context, user string, limit int) ([]json.RawMessage, int, error)
	Export(ctx context.Context, user string) (localclient.Export, error)
	Forget(ctx context.Context, user string) error
}

// AgentState is the agent's own figures and the uploader's cache.
type AgentState interface {
	Status(ctx context.Context) (localclient.Status, error)
	Meta(ctx context.Context, key string) (string, error)
}

// Store is what the local API needs of the agent's store.
type Store interface {
	Consents
	UserData
	AgentState
}

var _ Store = (*store.Store)(nil)
