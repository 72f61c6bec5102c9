#!/bin/sh
# The load test, bounded and on loopback only: a fresh collector (SQLite in
# a temporary directory, or $LOAD_DB, e.g. a postgres:// URL), 1,000
# simulated agents enrolling and uploading a day each at once, then 200 of
# them uploading without pause for 60 s, all with the agent's own upload
# code. It reports answers by status and p50/p99 latency, fails on any
# answer but 200 or 503, and checks every acknowledged day is stored once.
#   scripts/load.sh [AGENTS [CONTINUOUS [DURATION]]]     # 1000 200 60s
set -eu
cd "$(dirname "$0")/.."
BIN=$PWD/bin
AGENTS=${1:-1000}
CONTINUOUS=${2:-200}
DURATION=${3:-60s}
DIR=$(mktemp -d /tmp/teamlens-load.XXXXXX)
DB=${LOAD_DB:-$DIR/collector.db}
COLLECTOR=""
cleanup() {
	[ -n "$COLLECTOR" ] && kill "$COLLECTOR" 2>/dev/null && wait "$COLLECTOR" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

"$BIN/collector" serve --db "$DB" --listen 127.0.0.1:0 --enroll-secret load-secret 2>"$DIR/collector.log" &
COLLECTOR=$!
ADDR=""
for i in $(seq 100); do
	ADDR=$(sed -n 's/.*msg="collector listening" addr=\([0-9.:]*\).*/\1/p' "$DIR/collector.log")
	[ -n "$ADDR" ] && break
	sleep 0.1
done
[ -n "$ADDR" ] || { cat "$DIR/collector.log" >&2; exit 1; }
echo "== load test: $AGENTS agents, then $CONTINUOUS uploading for $DURATION, against http://$ADDR ($(case $DB in postgres*) echo PostgreSQL;; *) echo SQLite;; esac))"
timeout 600 "$BIN/fleetsim" load --collector "http://$ADDR" --enroll-secret load-secret --dir "$DIR" --db "$DB" \
	--agents "$AGENTS" --continuous "$CONTINUOUS" --duration "$DURATION"
if grep -q 'level=ERROR' "$DIR/collector.log"; then
	echo "collector logged errors:" >&2
	grep 'level=ERROR' "$DIR/collector.log" | head -5 >&2
	exit 1
fi
