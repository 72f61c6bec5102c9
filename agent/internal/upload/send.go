package upload

import (
	"context"

	"teamlens/agent/internal/store"
	"teamlens/shared/wire"
)

// Enroll returns the device credential kept in DataDir, enrolling first
// when there is none for this collector; Once does the same before it
// uploads. With Send it lets the fleet simulator put on the wire exactly
// what an agent does, without an agent database per simulated device.
func (u *Uploader) Enroll(ctx context.Context) (Device, error) {
	u.defaults()
	return u.device(ctx)
}

// Send posts one batch of days as Once does (gzip JSON, bearer device
// token) and returns the collector's status and body.
func (u *Uploader) Send(ctx context.Context, dev Device, days []wire.Day) (int, []byte, error) {
	u.defaults()
	pending := make([]store.PendingDay, len(days))
	for i := range days {
		pending[i].Day = days[i]
	}
	return u.post(ctx, dev, pending)
}
