package servicectl

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"teamlens/internal/testenv"
)

func TestSysvScriptIsValidShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		testenv.Missing(t, "no sh")
	}
	def := Def{
		Name:       "teamlens-agent-test",
		Executable: "/opt/it's here/agent",
		Args:       []string{"run", "--config", "/etc/team lens/agent.toml"},
		LogFile:    "/var/lib/teamlens/agent.log",
		RuntimeDir: "/run/teamlens",
	}
	script := sysvScript(def)
	if strings.Contains(script, "{{") {
		t.Fatal("the script must hold no template actions: kardianos renders it")
	}
	if !strings.Contains(script, `'/opt/it'\''s here/agent' 'run' '--config' '/etc/team lens/agent.toml'`) {
		t.Errorf("command not quoted for the shell:\n%s", script)
	}
	path := filepath.Join(t.TempDir(), "init")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(sh, "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("sh -n: %v\n%s", err, out)
	}
	// Unknown actions are refused with the LSB usage exit code.
	if err := exec.Command(sh, path, "bogus").Run(); err == nil {
		t.Error("unknown action succeeded")
	}
}

func TestSystemdUnit(t *testing.T) {
	u := systemdUnit(Def{Name: "x", Executable: "/usr/local/lib/teamlens/agent", Args: []string{"run", "--config", "/etc/teamlens/100%.toml"}, RuntimeDir: "/run/teamlens"})
	for _, want := range []string{
		`ExecStart="/usr/local/lib/teamlens/agent" "run" "--config" "/etc/teamlens/100%%.toml"`,
		"Restart=always",
		"ExecStartPre=/bin/mkdir -p -m 0755 \"/run/teamlens\"",
	} {
		if !strings.Contains(u, want) {
			t.Errorf("unit lacks %s:\n%s", want, u)
		}
	}
}
