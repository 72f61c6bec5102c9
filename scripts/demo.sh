#!/bin/sh
# The demo, Teamlens end to end on the embedded default (SQLite), in a
# directory of its own (demo-data/, or $DEMO_DIR), wiped at each run so that
# every run gives the same result:
#   - a fresh collector, seeded by tools/fleetsim with an organization of a
#     few hundred users (six teams, every insight and unavailable reason)
#     and a year of their work, uploaded over HTTP with the agent's own
#     upload code;
#   - one real `agent run` on the demo's own data directory, spool and
#     socket (never the service's /var/lib/teamlens), with you as a
#     simulated AutoCAD user (tools/cadsim) in team acme, and reading two
#     real Revit journals (dated yesterday and today) from a journal folder;
#   - today's insights, checked: every insight kind appears for some team.
# It prints the console URL and an admin sign-in token, then serves until
# Ctrl-C, which stops everything it started. With standard input not a
# terminal (CI), it exits after the check.
set -eu
cd "$(dirname "$0")/.."
BIN=$PWD/bin
DEMO=${DEMO_DIR:-$PWD/demo-data}
PORT=${DEMO_PORT:-18080}
USERS=${DEMO_USERS:-250}
URL=http://127.0.0.1:$PORT
SECRET=demo-secret
ME=$(id -un)
TODAY=$(date +%F)

COLLECTOR="" AGENT=""
stop() {
	trap - EXIT INT TERM
	for pid in $AGENT $COLLECTOR; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

# The previous run's collector, agent and device token go with its directory.
rm -rf "$DEMO"
mkdir -p "$DEMO/agent" "$DEMO/fleet"
DB=$DEMO/collector.db

echo "== collector serve on $URL (database $DB)"
"$BIN/collector" serve --db "$DB" --listen "127.0.0.1:$PORT" --enroll-secret $SECRET --insights-hour 23 2>"$DEMO/collector.log" &
COLLECTOR=$!
for i in $(seq 100); do
	grep -q "collector listening" "$DEMO/collector.log" && break
	kill -0 $COLLECTOR 2>/dev/null || { cat "$DEMO/collector.log" >&2; exit 1; }
	sleep 0.1
done

echo "== fleetsim: the organization's license files, imported, and a year of its $USERS users' work uploaded"
"$BIN/fleetsim" seed --collector "$URL" --enroll-secret $SECRET --dir "$DEMO/fleet" --db "$DB" --users "$USERS" --days 365 --seed 1 --concurrency 4

echo "== $ME joins team acme (AutoCAD, subscription ACME-ACAD)"
printf 'email,login,name\n%s@acme.example,%s,Demo User\n' "$ME" "$ME" >"$DEMO/me-users.csv"
printf 'subscription,email,assigned_on\nACME-ACAD,%s@acme.example,%s\n' "$ME" "$(date -d '-200 days' +%F)" >"$DEMO/me-assignments.csv"
"$BIN/collector" import --db "$DB" --kind users "$DEMO/me-users.csv" >/dev/null
"$BIN/collector" import --db "$DB" --kind assignments "$DEMO/me-assignments.csv" >/dev/null

JOURNALS="$DEMO/Autodesk Revit 2016/Journals"
mkdir -p "$JOURNALS"

AGENT_DIRS="--data-dir $DEMO/agent"
echo "== agent run (data $DEMO/agent, spool $DEMO/spool, socket $DEMO/agent/agent.sock, Revit journals $JOURNALS)"
"$BIN/agent" run $AGENT_DIRS --spool-dir "$DEMO/spool" --socket "$DEMO/agent/agent.sock" --revit-journals "$JOURNALS" \
	--collector "$URL" --enroll-secret $SECRET --upload-interval 3s 2>"$DEMO/agent.log" &
AGENT=$!
for i in $(seq 100); do
	[ -S "$DEMO/agent/agent.sock" ] && break
	sleep 0.1
done
"$BIN/agent" consent $AGENT_DIRS --user "$ME" on >/dev/null

events() { "$BIN/agent" status $AGENT_DIRS | sed -n 's/.*"events": \([0-9]*\).*/\1/p'; }
echo "== two real Revit 2016 journals land in the journal folder; the agent reads them (no plug-in)"
# From agent/internal/revitjournal/testdata, their dates moved to yesterday
# and today: Revit writes such a file per session.
TESTDATA=agent/internal/revitjournal/testdata
sed "s/27-Oct-2016/$(LC_ALL=C date -d '-1 day' +%d-%b-%Y)/g" $TESTDATA/journal.0002.txt >"$JOURNALS/journal.0002.txt"
sed "s/28-Oct-2016/$(LC_ALL=C date +%d-%b-%Y)/g" $TESTDATA/journal.0001.txt >"$JOURNALS/journal.0001.txt"
revit() { "$BIN/agent" export $AGENT_DIRS --user "$ME" | grep -c '"product": "Revit"' || true; }
for i in $(seq 100); do
	[ "$(revit)" -ge 14 ] && break
	sleep 0.2
done
"$BIN/agent" export $AGENT_DIRS --user "$ME" | grep -A3 '"product": "Revit"' | sed -n 's/.*"type": "\([^"]*\)".*/\1/p' | sort | uniq -c | sed 's/^/   /'
echo "   Revit commands: $("$BIN/agent" export $AGENT_DIRS --user "$ME" | sed -n 's/.*"name": "\(ID_[A-Z_]*\)".*/\1/p' | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
if grep -rqs -e nvo -e shl.local -e rac_basic "$DEMO/agent" "$DEMO/agent.log"; then
	echo "demo: text of a Revit journal reached the agent's database or log" >&2
	exit 1
fi
echo "== cadsim: $ME works five days in AutoCAD"
written=$("$BIN/cadsim" --spool-dir "$DEMO/spool" --days 5 --commands 300 | sed -n 's/.*wrote \([0-9]*\) events.*/\1/p')
for i in $(seq 300); do
	[ "$(events)" -ge "$written" ] && break
	sleep 0.2
done
for i in $(seq 300); do
	status=$("$BIN/agent" status $AGENT_DIRS)
	echo "$status" | grep -q '"days_pending": 0' && echo "$status" | grep -q '"success_at"' && break
	sleep 0.2
done
echo "   $written events recorded, their days uploaded"

echo "== today's insights"
"$BIN/collector" insights --db "$DB" --as-of "$TODAY" | sed 's/^/   /'
# One admin on every team: any token of theirs serves all their teams.
for team in acme brick civic delta forge heritage; do
	TOKEN=$("$BIN/collector" admin --db "$DB" --team $team --email admin@example.com --role primary --can-purchase)
done
"$BIN/fleetsim" check --collector "$URL" acme=$TOKEN brick=$TOKEN civic=$TOKEN delta=$TOKEN forge=$TOKEN heritage=$TOKEN

cat <<MSG

Teamlens demo
  console:       $URL/
  sign-in token: $TOKEN   (admin@example.com: primary admin of all six teams, can purchase)
  API:           curl -H "Authorization: Bearer $TOKEN" $URL/v1/teams/acme/insights
  files, logs:   $DEMO
MSG
if [ -t 0 ]; then
	echo "Serving until Ctrl-C."
	wait $COLLECTOR
fi
