//go:build windows

package servicectl

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// Recovery is what the service control manager does when the agent fails:
// restart it after 5 s, 30 s, then every minute, counting failures anew
// after a day without one. It applies to an agent that stops with an
// error exit code too, not only to a crash.
var Recovery = []mgr.RecoveryAction{
	{Type: mgr.ServiceRestart, Delay: 5 * time.Second},
	{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
	{Type: mgr.ServiceRestart, Delay: time.Minute},
}

// RecoveryResetSeconds is the failure count's reset period.
const RecoveryResetSeconds = 24 * 60 * 60

// afterInstall sets the recovery actions, which kardianos sets only in
// part (one action, not for error exits).
func afterInstall(name string) error {
	m, err := mgr.Connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()
	s, err := m.OpenService(name)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.SetRecoveryActions(Recovery, RecoveryResetSeconds); err != nil {
		return fmt.Errorf("recovery actions: %w", err)
	}
	// Wine lacks this level (ERROR_INVALID_LEVEL); the agent exits without
	// reporting itself stopped when it fails, which the SCM counts as a
	// failure with or without the flag.
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil && !errors.Is(err, windows.ERROR_INVALID_LEVEL) {
		return fmt.Errorf("recovery actions on error exits: %w", err)
	}
	return nil
}
