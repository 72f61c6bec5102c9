//go:build !linux

package procscan

import (
	"context"

	"github.com/shirou/gopsutil/v3/process"
)

// pidLister lists processes through gopsutil (EnumProcesses on Windows).
type pidLister struct{}

func (pidLister) list(ctx context.Context, _ func(int32) bool) ([]int32, error) {
	return process.PidsWithContext(ctx)
}

// name leaves the name to gopsutil.
func (pidLister) name(int32) (string, bool) { return "", false }
