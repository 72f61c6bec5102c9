// Package simupload lends the agent's upload client to the simulators
// outside agent/ (tools/fleetsim, the load test, the collector's replica
// test), which Go's internal rule keeps from importing
// agent/internal/upload: simulated devices then send the agent's own bytes.
package simupload

import (
	"context"
	"net/http"

	"teamlens/agent/internal/upload"
	"teamlens/shared/wire"
)

// Device is one simulated device's uploader and credential.
type Device struct {
	u   *upload.Uploader
	dev upload.Device
}

// Enroll enrolls a device with the collector, keeping its credential in
// dataDir as an agent does.
func Enroll(ctx context.Context, client *http.Client, collector, secret, dataDir string) (*Device, error) {
	u := &upload.Uploader{Collector: collector, EnrollSecret: secret, DataDir: dataDir, Client: client}
	dev, err := u.Enroll(ctx)
	if err != nil {
		return nil, err
	}
	return &Device{u: u, dev: dev}, nil
}

// ID is the device id the collector issued.
func (d *Device) ID() string { return d.dev.ID }

// Send posts one batch and returns the collector's status and body.
func (d *Device) Send(ctx context.Context, days []wire.Day) (int, []byte, error) {
	return d.u.Send(ctx, d.dev, days)
}

// Token is the device's bearer token, for a tool that posts bodies it
// encoded ahead of time.
func (d *Device) Token() string { return d.dev.Token }
