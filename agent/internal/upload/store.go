package upload

import (
	"context"
	"time"

	"teamlens/agent/internal/store"
	"teamlens/shared/localclient"
)

// Queue is the upload queue as the uploader works it: the days to send,
// the ones the collector took, the one it refused.
type Queue interface {
	PendingDays(ctx context.Context, limit int) ([]store.PendingDay, error)
	MarkUploaded(ctx context.Context, days []store.PendingDay) error
	Quarantine(ctx context.Context, d store.PendingDay, reason string) error
}

// Outcomes keeps what `agent status` tells of the uploads.
type Outcomes interface {
	RecordUpload(ctx context.Context, at time.Time, uploadErr error) error
	RecordReenrolled(ctx context.Context, at time.Time, why string) error
	Status(ctx context.Context) (localclient.Status, error)
}

// Cache keeps the benchmarks between runs.
type Cache interface {
	Meta(ctx context.Context, key string) (string, error)
	SetMeta(ctx context.Context, key, value string) error
}

// Store is what the uploader needs of the agent's store.
type Store interface {
	Queue
	Outcomes
	Cache
}

var _ Store = (*store.Store)(nil)
