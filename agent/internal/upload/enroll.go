package upload

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"teamlens/shared/wire"
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
	if err := os.Remove(filepath.Join(u.DataDir, TokenFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Device{}, fmt.Errorf("device token: %w", err)
	}
	dev, err := u.device(ctx)
	if err != nil {
		return dev, fmt.Errorf("the collector refused this device's token and enrolling again failed: %w", err)
	}
	note := fmt.Sprintf("the collector refused the device token (%s); enrolled again as device %s, %d days pending kept", why, dev.ID, status.Queue.DaysPending)
	if err := u.Store.RecordReenrolled(ctx, u.Now(), note); err != nil {
		return dev, err
	}
	return dev, nil
}

// device returns the stored credential, enrolling first when there is
// none for this collector.
func (u *Uploader) device(ctx context.Context) (Device, error) {
	path := filepath.Join(u.DataDir, TokenFile)
	var dev Device
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &dev); err == nil && dev.Token != "" && dev.Collector == u.Collector {
			return dev, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return dev, fmt.Errorf("device token: %w", err)
	}
	host, _ := os.Hostname()
	body, _ := json.Marshal(wire.EnrollRequest{EnrollSecret: u.EnrollSecret, Hostname: host})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.endpoint("/v1/enroll"), bytes.NewReader(body))
	if err != nil {
		return dev, err
	}
	req.Header.Set("Content-Type", "application/json")
	status, resp, err := u.do(req)
	if err != nil {
		return dev, fmt.Errorf("enroll: %w", err)
	}
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return dev, fmt.Errorf("enroll: the collector refused the enroll secret: %s", errorText(resp))
	}
	if status != http.StatusOK {
		return dev, fmt.Errorf("enroll: collector answered %d: %s", status, errorText(resp))
	}
	var got wire.EnrollResponse
	if err := json.Unmarshal(resp, &got); err != nil || got.DeviceToken == "" {
		return dev, fmt.Errorf("enroll: unreadable answer")
	}
	dev = Device{Collector: u.Collector, ID: got.DeviceID, Token: got.DeviceToken}
	b, _ := json.Marshal(dev)
	if err := writeSecret(path, b); err != nil {
		return dev, fmt.Errorf("device token: %w", err)
	}
	u.Log.Info("enrolled with the collector", "device_id", dev.ID)
	return dev, nil
}

// writeSecret replaces path atomically with a file only its owner reads.
func writeSecret(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
