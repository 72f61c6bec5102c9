//go:build !linux

package procscan

import (
	"context"

	"github.com/shirou/gopsutil/v3/process"
)

// pidLister lists processes through gopsutil (EnumProcesses on Windows).
type pidLister struct{}

func (pidLister) list(ctx context.Context) ([]int32, error) { return process.PidsWithContext(ctx) }
