//go:build windows

package servicectl

import (
	"errors"

	"golang.org/x/sys/windows"
)

func databaseLocked(err error) bool { return errors.Is(err, windows.ERROR_SERVICE_DATABASE_LOCKED) }
