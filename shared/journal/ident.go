package journal

import (
	"regexp"
	"strings"
)

var (
	identRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$`)
	versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._+-]{0,31}$`)
	userRE    = regexp.MustCompile(`^([A-Za-z0-9._-]{1,64}\\)?[A-Za-z0-9._@$-]{1,64}$`)
)

// ValidIdentifier reports whether s may be stored as a session, command,
// setting, object type, view or change name: no spaces, no separators, so
// no free text or path can pass.
func ValidIdentifier(s string) bool { return identRE.MatchString(s) }

// ValidVersion reports whether s is an acceptable product version.
func ValidVersion(s string) bool { return versionRE.MatchString(s) }

// ValidUser reports whether s is an acceptable OS login, with an optional
// DOMAIN\ prefix.
func ValidUser(s string) bool { return userRE.MatchString(s) }

// NormalizeCommand strips the prefixes AutoCAD-style products put before a
// command name (_ . - ') and upper-cases it: "_.-line" becomes "LINE".
func NormalizeCommand(name string) string {
	return strings.ToUpper(strings.TrimLeft(name, "_.-'"))
}
