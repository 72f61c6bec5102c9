// Package desktop is the applications-menu entry of the My Insights viewer
// on Linux desktops (freedesktop.org Desktop Entry), and its icon: one
// definition for the Debian package and for "installer install".
package desktop

import (
	"fmt"
	"path/filepath"
	"strings"

	"teamlens/shared/brand"
)

// Where a system-wide entry and icon go under a share directory
// (/usr/share for a package, /usr/local/share for "installer install").
const (
	EntryFile = "applications/teamlens-viewer.desktop"
	IconName  = "teamlens-viewer"
	IconFile  = "icons/hicolor/scalable/apps/" + IconName + ".svg"
)

// Icon is the viewer's icon, a scalable SVG the icon theme serves at
// every size.
var Icon = brand.IconSVG

// Entry returns the desktop entry that starts the viewer at exec, an
// absolute path. It is "My Insights" in the menu, under Utility.
func Entry(exec string) ([]byte, error) {
	if !filepath.IsAbs(exec) || strings.ContainsAny(exec, " \t\n\"'\\`$%") {
		return nil, fmt.Errorf("viewer path %q: want an absolute path without spaces or quotes", exec)
	}
	return []byte(`[Desktop Entry]
Type=Application
Version=1.0
Name=My Insights
GenericName=CAD usage insights
Comment=Your own CAD product usage, performance and command insights from Teamlens, and your analytics choice
Exec=` + exec + `
Icon=` + IconName + `
Terminal=false
Categories=Utility;
Keywords=Teamlens;CAD;AutoCAD;Revit;usage;privacy;analytics;
StartupNotify=true
StartupWMClass=My Insights
`), nil
}

// Exec reads the program an entry starts, "" when it names none.
func Exec(entry []byte) string {
	for _, line := range strings.Split(string(entry), "\n") {
		if v, ok := strings.CutPrefix(line, "Exec="); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
