#!/bin/sh
# Runs the whole test suite with the real parts it needs: a PostgreSQL
# server (the window tests start an Xvfb each: testenv.Display).
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh test
go mod download

cleanup() {
	[ -n "${PG_STARTED:-}" ] && scripts/pg.sh stop || true
}
trap cleanup EXIT INT TERM

if [ -z "${TEAMLENS_PG_URL:-}" ]; then
	# Stop at the end only a server this run started.
	[ -f "${PGDATA_DIR:-/tmp/teamlens-pg}/postmaster.pid" ] || PG_STARTED=1
	eval "$(scripts/pg.sh)"
	export TEAMLENS_PG_URL
fi
echo "== gofmt / go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change: $unformatted" >&2
	exit 1
fi
go vet ./...
echo "== the agent and installer build for Windows and macOS too"
GOOS=windows go build -o /dev/null ./agent ./installer
# Every package, the viewer too (cgo with mingw-w64), vets clean for Windows.
GOOS=windows CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc go vet ./...
GOOS=darwin go build -o /dev/null ./agent ./installer
echo "== go test -race"
go test -race -count=1 -timeout 20m ${TESTFLAGS:-} ./...
# Under -race the viewer's screen captures skip (the detector slows Fyne's
# software renderer tenfold), so they run once more without it.
echo "== the viewer's screens, without -race"
go test -count=1 -timeout 10m ${TESTFLAGS:-} -run '^TestScreens$' ./viewer/internal/ui/
# The date-bound tests again with their fixed clock moved to the week of a
# leap day two years out and of one in the past (internal/testenv/epoch.go):
# a test that lets the real clock meet its fixed one fails today, not on the
# day the two drift apart.
for epoch in 2028-02-29 2024-02-29; do
	echo "== date-bound tests with the epoch moved to $epoch"
	TEAMLENS_TEST_EPOCH=$epoch go test -count=1 -timeout 10m ${TESTFLAGS:-} $(scripts/datebound.sh)
done
