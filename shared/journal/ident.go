package journal

import (
	"regexp"
	"strings"
)

var userRE = regexp.MustCompile(`^([A-Za-z0-9._-]{1,64}\\)?[A-Za-z0-9._@$-]{1,64}$`)

// ValidIdentifier reports whether s may be stored as a session, command,
// setting, object type, view or change name, ^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$:
// no spaces, no separators, so no free text or path can pass.
func ValidIdentifier(s string) bool { return validName(s, 64) }

// ValidVersion reports whether s is an acceptable product version,
// ^[0-9A-Za-z][0-9A-Za-z._+-]{0,31}$.
func ValidVersion(s string) bool { return validName(s, 32) }

// validName checks the shape both patterns share, without a regular
// expression: it runs for every field of every journal line.
func validName(s string, maxLen int) bool {
	if len(s) == 0 || len(s) > maxLen || !alnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '_' && c != '.' && c != '+' && c != '-' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// ValidUser reports whether s is an acceptable OS login, with an optional
// DOMAIN\ prefix.
func ValidUser(s string) bool { return userRE.MatchString(s) }

// NormalizeCommand strips the prefixes AutoCAD-style products put before a
// command name (_ . - ') and upper-cases it: "_.-line" becomes "LINE".
func NormalizeCommand(name string) string {
	return strings.ToUpper(strings.TrimLeft(name, "_.-'"))
}
