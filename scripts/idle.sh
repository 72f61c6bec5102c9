#!/bin/sh
# Measures the agent's idle cost: CPU (percent of one core) and resident
# memory over a minute at the default scan interval, with 500 processes on
# the machine. Usage: scripts/idle.sh [seconds]
#
# IDLE_QUIET=1 (root, util-linux's unshare) runs it all in a PID namespace
# of its own, as on a workstation where nothing else starts processes:
# the agent then sees only the 500 and itself. Without it, every process
# the machine's other work starts is part of the measure.
set -eu
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-60}
WHERE="this machine"
if [ "${IDLE_QUIET:-}" = 1 ]; then
	if [ -z "${IDLE_IN_NS:-}" ]; then
		exec unshare --pid --fork --mount-proc env IDLE_IN_NS=1 "$0" "$@"
	fi
	WHERE="quiet machine (own PID namespace)"
fi
T=$(mktemp -d)
go build -o "$T/agent" ./agent
PIDS=""
for i in $(seq 500); do
	sleep 3600 &
	PIDS="$PIDS $!"
done
cleanup() { kill $PIDS 2>/dev/null || true; [ -n "${AGENT:-}" ] && kill "$AGENT" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM
"$T/agent" run --config /dev/null --data-dir "$T/data" --spool-dir "$T/spool" --socket "$T/agent.sock" 2>"$T/log" &
AGENT=$!
# Idle means settled: past its first minute, when it gives back the
# memory start-up touched (agent/internal/trim).
sleep 75
# CPU time in nanoseconds, summed over the agent's threads (schedstat's
# first field): /proc/PID/stat counts in 10 ms ticks, as coarse as what
# is measured here.
cpu_ns() { cat /proc/"$AGENT"/task/*/schedstat | awk '{s += $1} END {printf "%d", s}'; }
t0=$(cpu_ns)
ids0=$(awk '{print $5}' /proc/loadavg)
sleep "$SECONDS_RUN"
t1=$(cpu_ns)
procs=$(ls /proc | grep -c '^[0-9]')
ids=$(($(awk '{print $5}' /proc/loadavg) - ids0))
rss=$(awk '/VmRSS/ {print $2}' "/proc/$AGENT/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$AGENT/status")
awk -v d=$((t1 - t0)) -v s="$SECONDS_RUN" -v p="$procs" -v rss="$rss" -v hwm="$hwm" -v w="$WHERE" -v ids="$ids" 'BEGIN {
	printf "agent idle over %ds, %s, %d processes, %d new process and thread IDs: CPU %.3f%% of one core, RSS %.1f MB (peak %.1f MB)\n", s, w, p, ids, 100 * d / 1e9 / s, rss / 1024, hwm / 1024
}'
