package upload

import (
	"context"
	"fmt"
)

// reenroll drops the refused credential and enrolls with the configured
// enroll secret.
func (u *Uploader) reenroll(ctx context.Context, why string) (Device, error) {
	status, err := u.Store.Status(ctx)
	if err != nil {
		return Device{}, err
	}
	u.Log.Warn("the collector refused this device's token; enrolling again with the configured enroll secret, keeping every pending day",
		"reason", why, "days_pending", status.Queue.DaysPending)
	if err := u.device.Forget(); err != nil {
		return Device{}, err
	}
	dev, err := u.device.Device(ctx)
	if err != nil {
		return dev, fmt.Errorf("the collector refused this device's token and enrolling again failed: %w", err)
	}
	note := fmt.Sprintf("the collector refused the device token (%s); enrolled again as device %s, %d days pending kept", why, dev.ID, status.Queue.DaysPending)
	if err := u.Store.RecordReenrolled(ctx, u.Now(), note); err != nil {
		return dev, err
	}
	return dev, nil
}
