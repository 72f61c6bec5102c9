#!/bin/sh
# The figures a sceptical engineer asks for, in one table: agent ingest as
# a user runs it (the whole `agent run` process) beside raw inserts, agent
# idle CPU and RSS, upload bytes per user-day, collector ingest over HTTP
# on both engines, insights at 1k/10k/100k users with peak memory, and the
# load test's latency. It prints the table and keeps it, with the machine it
# ran on, in docs/benchmarks.md. The slow sizes run here, never in make test.
#   BENCH_SHORT=1 scripts/bench.sh   # without 100,000 users, load test 15 s
# Without BENCH_SHORT it takes well over an hour: 100,000 users fill 18M
# usage days on each engine.
set -eu
cd "$(dirname "$0")/.."
BIN=$PWD/bin
OUT=$(mktemp -d /tmp/teamlens-bench.XXXXXX)
cleanup() {
	[ -n "${COLLECTOR:-}" ] && kill "$COLLECTOR" 2>/dev/null || true
	[ -n "${PG_STARTED:-}" ] && scripts/pg.sh stop >/dev/null || true
	rm -rf "$OUT"
}
trap cleanup EXIT INT TERM
if [ -z "${TEAMLENS_PG_URL:-}" ]; then
	# Stop at the end only a server this run started, never one in use.
	[ -f "${PGDATA_DIR:-/tmp/teamlens-pg}/postmaster.pid" ] || PG_STARTED=1
	eval "$(scripts/pg.sh)"
	export TEAMLENS_PG_URL
fi
SHORT=""
LOAD="1000 200 60s"
if [ -n "${BENCH_SHORT:-}" ]; then
	SHORT=-short
	LOAD="1000 200 15s"
fi
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# rows turns `go test -bench` lines into table rows: the benchmark, then
# each reported figure.
rows() {
	awk -v what="$1" '/^Benchmark/ {
		name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark[A-Za-z]*\/?/, "", name)
		figs = ""
		for (i = 3; i + 1 <= NF; i += 2) {
			if ($(i+1) == "B/op" || $(i+1) == "allocs/op") continue
			v = $i + 0
			if ($(i+1) == "ns/op") { figs = sprintf("%.3g s/op", v / 1e9); continue }
			f = (v >= 100) ? sprintf("%.0f", v) : sprintf("%.3g", v)
			figs = figs (figs == "" ? "" : ", ") f " " $(i+1)
		}
		printf "| %s | %s | %s |\n", what, (name == "" ? "-" : name), figs
	}
	# A benchmark that fails says so in the table, with its first message.
	/^--- FAIL: Benchmark[^ ]*\// { failed = $3; sub(/^Benchmark[A-Za-z]*\//, "", failed); next }
	failed != "" { msg = $0; sub(/^[ \t]*[a-z_]*\.go:[0-9]*: /, "", msg); printf "| %s | %s | FAILED: %s |\n", what, failed, msg; failed = "" }'
}
bench() { go test -run '^$' -bench "$1" -benchtime "${3:-1x}" $SHORT -timeout 150m "$2" 2>&1 | tee -a "$OUT/raw.txt"; }

{
	echo "| measure | case | figures |"
	echo "|---|---|---|"
	bench '^BenchmarkAgentIngest$' ./agent | rows "agent ingest, whole \`agent run\` process vs raw inserts"
	scripts/idle.sh 60 | sed -n 's/^agent idle over \([0-9]*s\) with \([0-9]*\) processes: \(.*\)$/| agent idle | \1, \2 processes | \3 |/p'
	T=$(mktemp -d "$OUT/seed.XXXX")
	"$BIN/collector" serve --db "$T/c.db" --listen 127.0.0.1:0 --enroll-secret b 2>"$T/log" &
	COLLECTOR=$!
	for i in $(seq 100); do
		ADDR=$(sed -n 's/.*msg="collector listening" addr=\([0-9.:]*\).*/\1/p' "$T/log")
		[ -n "$ADDR" ] && break
		sleep 0.1
	done
	"$BIN/fleetsim" seed --collector "http://$ADDR" --enroll-secret b --dir "$T" --db "$T/c.db" --users 300 --concurrency 4 >"$T/seed.txt"
	kill "$COLLECTOR"
	wait "$COLLECTOR" 2>/dev/null || true
	COLLECTOR=""
	sed -n 's/.*; \([0-9]*\) gzip bytes per user-day$/| upload size | fleetsim, 300 users x 120 days, batches of 500 | \1 gzip bytes per user-day |/p' "$T/seed.txt"
	bench '^BenchmarkIngestHTTP$' ./collector/internal/server 5x | rows "collector ingest over HTTP, 4 devices x 5,000-day gzip batches"
	bench '^BenchmarkPutDays$' ./collector/internal/insights 20x | rows "collector store.PutDays, batches of 500"
	bench '^BenchmarkInsights$' ./collector/internal/insights | rows "insights, users x 90 days x 2 products"
	bench '^BenchmarkConsole$' ./collector/internal/console 5x | rows "console pages and usage CSV, one team, warm (ms/page)"
	scripts/load.sh $LOAD | tee "$OUT/load.txt" >&2
	sed -n 's/^\(burst\|continuous\): \([^:]*\): \(.*\)$/| load test, \1 | \2 | \3 |/p' "$OUT/load.txt"
} >"$OUT/table.md"

cat "$OUT/table.md"
{
	echo "# Benchmarks"
	echo
	echo "The last \`make bench\` (scripts/bench.sh${BENCH_SHORT:+, BENCH_SHORT=1}), $(date -u '+%Y-%m-%d %H:%M UTC'), on"
	echo "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) memory,"
	echo "$(uname -sr), $(go version | cut -d' ' -f3), PostgreSQL $(psql --version 2>/dev/null | awk '{print $3}' || echo '?');"
	echo "load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine slows every figure)."
	echo
	cat "$OUT/table.md"
} >docs/benchmarks.md
echo "kept in docs/benchmarks.md"
