#!/bin/sh
# The demo, Teamlens' main job end to end on the embedded default (SQLite):
# a collector with a team's license picture, the agent in the foreground on
# its default data directory, a simulated AutoCAD user writing a realistic
# journal, the day records uploaded, and the team's insights computed.
set -eu
cd "$(dirname "$0")/.."
BIN=$PWD/bin
if [ "$(id -u)" -eq 0 ]; then
	DATA=/var/lib/teamlens
	SPOOL=/var/spool/teamlens
else
	DATA=${XDG_DATA_HOME:-$HOME/.local/share}/teamlens
	SPOOL=$DATA/spool
fi
DEMO=$(mktemp -d /tmp/teamlens-demo.XXXXXX)
ME=$(id -un)
PORT=${DEMO_PORT:-18080}
URL=http://127.0.0.1:$PORT
TODAY=$(date +%F)
day() { date -d "$1 days" +%F; }

echo "== collector serve on $URL (database $DEMO/collector.db)"
$BIN/collector serve --db "$DEMO/collector.db" --listen "127.0.0.1:$PORT" --enroll-secret demo-secret 2>"$DEMO/collector.log" &
COLLECTOR=$!
AGENT=""
trap 'kill $AGENT $COLLECTOR 2>/dev/null || true' EXIT INT TERM

echo "== the license picture: team acme, three subscriptions, five users"
cat >"$DEMO/teams.csv" <<CSV
team,name,plan,user_management
acme,Acme Design,premium,named
CSV
cat >"$DEMO/users.csv" <<CSV
email,login,name
$ME@acme.test,$ME,Demo User
alice@acme.test,alice,Alice Archer
bob@acme.test,bob,Bob Builder
carol@acme.test,carol,Carol Drafter
CSV
cat >"$DEMO/subscriptions.csv" <<CSV
subscription,team,product,type,seats,channel,start,end
ACAD-2026,acme,AutoCAD,single-user,10,online,$(day -300),$(day +65)
ACAD-2025,acme,AutoCAD,single-user,2,online,$(day -700),$(day -30)
RVT-2026,acme,Revit,flex,2,reseller,$(day -300),$(day +65)
CSV
cat >"$DEMO/assignments.csv" <<CSV
subscription,email,assigned_on
ACAD-2026,$ME@acme.test,$(day -200)
ACAD-2026,alice@acme.test,$(day -200)
ACAD-2025,bob@acme.test,$(day -400)
RVT-2026,carol@acme.test,$(day -150)
CSV
for kind in teams users subscriptions assignments; do
	$BIN/collector import --db "$DEMO/collector.db" --kind $kind "$DEMO/$kind.csv"
done

echo "== agent run (data: $DATA, spool: $SPOOL), uploading to the collector"
$BIN/agent run --collector "$URL" --enroll-secret demo-secret --upload-interval 3s 2>"$DEMO/agent.log" &
AGENT=$!
for i in $(seq 50); do
	[ -d "$SPOOL" ] && break
	sleep 0.1
done

echo "== $ME opts in to analytics"
$BIN/agent consent --user "$ME" on

events() { $BIN/agent status | sed -n 's/.*"events": \([0-9]*\).*/\1/p'; }
before=$(events)
echo "== a simulated AutoCAD user works five days"
written=$($BIN/cadsim --spool-dir "$SPOOL" --days 5 --commands 300 | tee /dev/stderr | sed -n 's/.*wrote \([0-9]*\) events.*/\1/p')
for i in $(seq 150); do
	[ "$(events)" -ge $((before + written)) ] && break
	sleep 0.2
done
echo "== waiting for the upload"
for i in $(seq 100); do
	$BIN/agent status | grep -q '"days_pending": 0' && $BIN/agent status | grep -q '"success_at"' && break
	sleep 0.2
done

echo "== agent status"
$BIN/agent status
$BIN/agent export --user "$ME" >"$DEMO/export.json"
echo "== agent export --user $ME: $(grep -c '"ts"' "$DEMO/export.json") events and their day records in $DEMO/export.json; one day:"
sed -n '/"days"/,/"analytics"/p' "$DEMO/export.json" | head -12

echo "== collector insights --as-of $TODAY"
$BIN/collector insights --db "$DEMO/collector.db" --as-of "$TODAY"
TOKEN=$($BIN/collector admin --db "$DEMO/collector.db" --team acme --email admin@acme.test --role primary --can-purchase)
if command -v curl >/dev/null 2>&1; then
	echo "== GET /v1/teams/acme/insights (admin token)"
	curl -sf -H "Authorization: Bearer $TOKEN" "$URL/v1/teams/acme/insights"
	echo
	echo "== GET /v1/teams/acme/insights.csv"
	curl -sf -H "Authorization: Bearer $TOKEN" "$URL/v1/teams/acme/insights.csv"
fi
echo "== done: logs and files in $DEMO"
