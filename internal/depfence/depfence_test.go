// Package depfence asserts which programs may link which dependencies.
package depfence

import (
	"os/exec"
	"strings"
	"testing"
)

func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

func TestFences(t *testing.T) {
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"teamlens/collector", []string{"fyne.io/", "github.com/kardianos/service", "github.com/shirou/gopsutil"}},
		{"teamlens/shared/...", []string{"fyne.io/", "github.com/shirou/gopsutil", "github.com/kardianos/service"}},
		{"teamlens/agent", []string{"fyne.io/", "github.com/jackc/pgx"}},
		{"teamlens/agent/internal/localapi", []string{"fyne.io/"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			for _, d := range deps(t, tt.pkg) {
				for _, f := range tt.forbidden {
					if strings.HasPrefix(d, f) {
						t.Errorf("%s links %s", tt.pkg, d)
					}
				}
			}
		})
	}
}
