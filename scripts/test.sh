#!/bin/sh
# Runs the whole test suite with the real parts it needs: a PostgreSQL
# server, an X server (Xvfb) for the viewer's window test.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh test
go mod download

cleanup() {
	[ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null || true
	[ -n "${PG_STARTED:-}" ] && scripts/pg.sh stop || true
}
trap cleanup EXIT INT TERM

if [ -z "${TEAMLENS_PG_URL:-}" ]; then
	# Stop at the end only a server this run started.
	[ -f "${PGDATA_DIR:-/tmp/teamlens-pg}/postmaster.pid" ] || PG_STARTED=1
	eval "$(scripts/pg.sh)"
	export TEAMLENS_PG_URL
fi
if [ -z "${DISPLAY:-}" ]; then
	Xvfb :97 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
	XVFB_PID=$!
	export DISPLAY=:97
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
GOOS=darwin go build -o /dev/null ./agent ./installer
echo "== go test -race"
go test -race -count=1 -timeout 20m ${TESTFLAGS:-} ./...
