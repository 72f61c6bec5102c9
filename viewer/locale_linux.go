//go:build linux && cgo

package main

/*
#include <stdio.h>
#include <string.h>

// Fyne's lang package reads the locale in its init(), before main runs,
// and logs "Error parsing user locale C" for a C locale with a codeset
// ("LANG=C.UTF-8", common on servers and in containers): go-locale takes
// "C" for a language tag. This constructor runs before the Go runtime,
// which reads the same environment array, and moves such a value from
// LC_ALL or LANG to LC_CTYPE, the one category where the codeset matters
// (X11 text input keeps UTF-8); the others were C already. LC_MESSAGES
// becomes plain C. glibc passes the constructor argc, argv and envp.
#ifdef __GLIBC__
static char teamlens_locale[256];

__attribute__((constructor)) static void teamlens_fix_c_locale(int argc, char **argv, char **envp) {
	static const char *names[] = {"LC_ALL=", "LC_MESSAGES=", "LANG="};
	(void)argc;
	(void)argv;
	if (envp == NULL) {
		return;
	}
	for (int n = 0; n < 3; n++) {
		size_t len = strlen(names[n]);
		for (char **e = envp; *e != NULL; e++) {
			if (strncmp(*e, names[n], len) != 0 || (*e)[len] == '\0') {
				continue;
			}
			const char *v = *e + len;
			if (strncmp(v, "C.", 2) == 0 || strncmp(v, "POSIX.", 6) == 0) {
				if (n == 1) {
					*e = "LC_MESSAGES=C";
				} else if (snprintf(teamlens_locale, sizeof teamlens_locale, "LC_CTYPE=%s", v) < (int)sizeof teamlens_locale) {
					*e = teamlens_locale;
				}
			}
			return; // the first one set is the one go-locale reads
		}
	}
}
#endif
*/
import "C"
