// Package simupload is a simulated device for the simulators
// (tools/fleetsim, the load test, the collector's replica test): it
// enrolls and sends batches through the agent's own device client, so
// simulated devices put the agent's bytes on the wire without an agent
// database per device.
package simupload

import (
	"context"
	"net/http"

	"teamlens/internal/deviceclient"
	"teamlens/shared/wire"
)

// Device is one simulated device's client and credential.
type Device struct {
	c   *deviceclient.Client
	dev deviceclient.Device
}

// Enroll enrolls a device with the collector, keeping its credential in
// dataDir as an agent does.
func Enroll(ctx context.Context, client *http.Client, collector, secret, dataDir string) (*Device, error) {
	c := &deviceclient.Client{Collector: collector, EnrollSecret: secret, DataDir: dataDir, HTTP: client}
	dev, err := c.Device(ctx)
	if err != nil {
		return nil, err
	}
	return &Device{c: c, dev: dev}, nil
}

// ID is the device id the collector issued.
func (d *Device) ID() string { return d.dev.ID }

// Send posts one batch and returns the collector's status and body.
func (d *Device) Send(ctx context.Context, days []wire.Day) (int, []byte, error) {
	return d.c.Send(ctx, d.dev, days)
}

// Token is the device's bearer token, for a tool that posts bodies it
// encoded ahead of time.
func (d *Device) Token() string { return d.dev.Token }
