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
	for quiet in 1 0; do
		IDLE_QUIET=$quiet scripts/idle.sh 60 | sed -n 's/^agent idle over \([0-9]*s\), \([^,]*\), \(.*\): \(.*\)$/| agent idle | \2, \1, \3 | \4 |/p'
	done
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
	# The continuous load of issue 22's table, 200 uploaders for 20 s, on
	# each engine in this run (PostgreSQL in a fresh schema).
	scripts/load.sh 1000 200 20s >"$OUT/load20-sqlite.txt" 2>&1 || true
	if command -v psql >/dev/null; then
		schema=bench_$$
		psql -q "$TEAMLENS_PG_URL" -c "CREATE SCHEMA $schema" >/dev/null 2>&1 || true
		case $TEAMLENS_PG_URL in *\?*) sep='&' ;; *) sep='?' ;; esac
		LOAD_DB="$TEAMLENS_PG_URL${sep}search_path=$schema" scripts/load.sh 1000 200 20s >"$OUT/load20-postgres.txt" 2>&1 || true
		psql -q "$TEAMLENS_PG_URL" -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true
	fi
} >"$OUT/table.md"

# metric BENCHMARK UNIT: the figure a benchmark of this run reported in UNIT.
metric() {
	awk -v n="$1" -v u="$2" '/^Benchmark/ { name = $1; sub(/-[0-9]+$/, "", name)
		if (name == n) for (i = 4; i <= NF; i++) if ($i == u) { print $(i-1); exit } }' "$OUT/raw.txt"
}
# cold ENGINE USERS: the first insight run's figures.
cold() {
	w=$(metric "BenchmarkInsights/$1/users=$2" cold-s)
	[ -n "$w" ] || { echo "$1 not run"; return; }
	echo "$1 $w s ($(metric "BenchmarkInsights/$1/users=$2" cold-cpu-s) cpu-s), benchmark process peak RSS so far $(metric "BenchmarkInsights/$1/users=$2" peak-rss-MB) MB"
}
continuous() {
	[ -f "$OUT/load20-$1.txt" ] || { echo "$1 not run"; return; }
	sed -n "s/^continuous: [^:]*: [0-9]* requests: 200=\([0-9]*\).*; \([0-9]*\) days\/s acknowledged$/$1 \1 uploads accepted, \2 days\/s/p" "$OUT/load20-$1.txt"
}
# The rows of issue 22's table, each with this run's figure and its goal.
{
	echo "| measure | now | goal |"
	echo "|---|---|---|"
	echo "| \`collector insights\` on a freshly filled database, 10,000 users x 90 days x 2 products (every digest computed) | $(cold sqlite 10000); $(cold postgres 10000) | <= 2 s, both engines |"
	echo "| the same at 100,000 users | $(cold sqlite 100000); $(cold postgres 100000)${BENCH_SHORT:+ (BENCH_SHORT)} | <= 20 s, < 500 MB, both engines |"
	echo "| 200 uploaders for 20 s against one collector, days accepted | $(continuous sqlite); $(continuous postgres) | PostgreSQL >= SQLite |"
	s=$(metric BenchmarkIngestHTTP/sqlite days/s) p=$(metric BenchmarkIngestHTTP/postgres days/s)
	echo "| HTTP ingest, 4 devices, 5,000-day gzip batches | SQLite ${s:-?} days/s, PostgreSQL ${p:-?} days/s = $(awk -v s="${s:-0}" -v p="${p:-0}" 'BEGIN { if (s > 0) printf "%.2f", p / s; else printf "?" }') x SQLite | >= 50,000 days/s, PostgreSQL >= 0.8 x SQLite in the same run |"
	echo "| agent ingest, whole \`agent run\` process, journal line -> committed row | $(metric BenchmarkAgentIngest agent-lines/cpu-s) lines per CPU-second = $(metric BenchmarkAgentIngest agent/raw) x raw modernc SQLite inserts of the same rows in the same run | >= 0.5 x raw |"
	echo "| agent idle, 500 processes, 5 s scan | $(sed -n 's/^| agent idle | \([^,]*\),[^|]* | \(.*\) |$/\1: \2/p' "$OUT/table.md" | paste -sd ';' - | sed 's/;/; /g') | < 0.02%, < 15 MB |"
	echo "| \`GET /v1/benchmarks\` at 100,000 users | not measured: no benchmark yet | < 50 ms, no full scan |"
} >"$OUT/issue.md"

cat "$OUT/issue.md"
echo
cat "$OUT/table.md"
{
	echo "# Benchmarks"
	echo
	echo "The last \`make bench\` (scripts/bench.sh${BENCH_SHORT:+, BENCH_SHORT=1}), $(date -u '+%Y-%m-%d %H:%M UTC'), on"
	echo "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) memory,"
	echo "$(uname -sr), $(go version | cut -d' ' -f3), PostgreSQL $(psql --version 2>/dev/null | awk '{print $3}' || echo '?');"
	echo "load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine slows every figure)."
	echo
	echo "The measures of issue 22, from this run:"
	echo
	cat "$OUT/issue.md"
	echo
	echo "Every benchmark of the run:"
	echo
	cat "$OUT/table.md"
	# What was written by hand below the mark stays.
	sed -n '/^<!-- written by hand below -->$/,$p' docs/benchmarks.md
} >"$OUT/benchmarks.md"
mv "$OUT/benchmarks.md" docs/benchmarks.md
echo "kept in docs/benchmarks.md"
