#!/bin/sh
# Installs what building and testing Teamlens needs on Debian/Ubuntu, or
# says exactly what is missing.
#   scripts/deps.sh          # Go toolchain and cgo only (agent, collector, demo)
#   scripts/deps.sh test     # plus Fyne's X11/GL headers, Xvfb, ImageMagick, PostgreSQL, Chromium,
#                            # desktop-file-validate (the viewer's menu entry), DejaVu (make screens), FreeCAD (the add-on test)
#                            # Wine, wixl, msitools and mingw-w64 (the Windows builds run under Wine, the MSI)
set -eu

if ! command -v go >/dev/null 2>&1; then
	echo "deps: Go is not installed (https://go.dev/dl/, 1.26 or newer)" >&2
	exit 1
fi

pkgs="gcc pkg-config"
bins="gcc pkg-config"
if [ "${1:-}" = test ]; then
	pkgs="$pkgs libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev xvfb x11-utils imagemagick postgresql dpkg-dev chromium desktop-file-utils fonts-dejavu-core freecad wine64 wixl msitools gcc-mingw-w64-x86-64"
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: install them as root: apt-get install -y$missing" >&2
	exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "deps: installing$missing" >&2
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
