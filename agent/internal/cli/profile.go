package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// profileEnv names a file that `agent run` writes a CPU profile of its
// whole run to, until it stops (see BenchmarkAgentIngest).
const profileEnv = "TEAMLENS_CPUPROFILE"

// startProfile starts the CPU profile profileEnv asks for, if any, and
// returns what stops it.
func startProfile() (stop func(), err error) {
	path := os.Getenv(profileEnv)
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
