package procscan

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"teamlens/internal/testenv"
)

// buildPE links a real Windows executable with mingw-w64 whose version
// resource says PRODUCTVERSION major,minor.
func buildPE(t *testing.T, major, minor int) string {
	t.Helper()
	for _, tool := range []string{"x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-windres"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "%s is not installed (Debian's gcc-mingw-w64-x86-64, scripts/deps.sh test)", tool)
		}
	}
	dir := t.TempDir()
	rc := fmt.Sprintf(`1 VERSIONINFO
FILEVERSION %[1]d,%[2]d,46,0
PRODUCTVERSION %[1]d,%[2]d,46,0
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "ProductVersion", "R%[1]d.%[2]d.46.0.0"
    END
  END
END
`, major, minor)
	files := map[string]string{"v.rc": rc, "m.c": "int main(void){return 0;}\n"}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(dir, "acad.exe")
	for _, cmd := range [][]string{
		{"x86_64-w64-mingw32-windres", "v.rc", "-O", "coff", "-o", "v.o"},
		{"x86_64-w64-mingw32-gcc", "-o", exe, "m.c", "v.o"},
	} {
		c := exec.Command(cmd[0], cmd[1:]...)
		c.Dir = dir
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", cmd, err, out)
		}
	}
	return exe
}

// TestVersionFromExe reads the product version resource of real PE files:
// AutoCAD's internal releases become their years, a two-digit major its
// year, and a file without a version resource or no PE at all fails (the
// scanner then reads the install folder's name).
func TestVersionFromExe(t *testing.T) {
	for _, tt := range []struct {
		product      string
		major, minor int
		want         string
	}{
		{"AutoCAD", 25, 0, "2025"},
		{"AutoCAD", 24, 3, "2024"},
		{"AutoCAD", 23, 1, "2020"},
		{"Revit", 25, 0, "2025"},
		{"Revit", 2026, 1, "2026.1"},
	} {
		got, err := VersionFromExe(buildPE(t, tt.major, tt.minor), tt.product)
		if err != nil || got != tt.want {
			t.Errorf("%s %d.%d: %q, %v; want %q", tt.product, tt.major, tt.minor, got, err, tt.want)
		}
	}
	if v, err := VersionFromExe(buildPE(t, 99, 0), "AutoCAD"); err == nil {
		t.Errorf("an unknown AutoCAD release gave %q", v)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if v, err := VersionFromExe(self, "AutoCAD"); err == nil {
		t.Errorf("a file that is no PE gave %q", v)
	}
}
