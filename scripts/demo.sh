#!/bin/sh
# The demo: the agent in the foreground on its default data directory, a
# simulated AutoCAD user writing a realistic journal, and what the agent
# stored, as `agent status` and `agent export` show it.
set -eu
cd "$(dirname "$0")/.."
BIN=bin
if [ "$(id -u)" -eq 0 ]; then
	DATA=/var/lib/teamlens
	SPOOL=/var/spool/teamlens
else
	DATA=${XDG_DATA_HOME:-$HOME/.local/share}/teamlens
	SPOOL=$DATA/spool
fi
LOG=$(mktemp /tmp/teamlens-demo-agent.XXXXXX.log)
ME=$(id -un)

echo "== agent run (data: $DATA, spool: $SPOOL, log: $LOG)"
$BIN/agent run >"$LOG" 2>&1 &
AGENT=$!
trap 'kill $AGENT 2>/dev/null || true' EXIT INT TERM
for i in $(seq 50); do
	[ -d "$SPOOL" ] && break
	sleep 0.1
done

echo "== $ME opts in to analytics"
$BIN/agent consent --user "$ME" on

before=$($BIN/agent status | sed -n 's/.*"events": \([0-9]*\).*/\1/p')
echo "== a simulated AutoCAD user works five days"
written=$($BIN/cadsim --spool-dir "$SPOOL" --days 5 --commands 300 | tee /dev/stderr | sed -n 's/.*wrote \([0-9]*\) events.*/\1/p')
for i in $(seq 150); do
	now=$($BIN/agent status | sed -n 's/.*"events": \([0-9]*\).*/\1/p')
	[ "$now" -ge $((before + written)) ] && break
	sleep 0.2
done

echo "== agent status"
$BIN/agent status
echo "== agent export --user $ME (the day records; events shortened)"
$BIN/agent export --user "$ME" >"$LOG.export.json"
grep -c '"ts"' "$LOG.export.json" | sed 's/^/events stored: /'
sed -n '/"days"/,$p' "$LOG.export.json" | head -60
echo "(whole export: $LOG.export.json)"
