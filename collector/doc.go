// Command collector receives daily usage summaries from Teamlens agents,
// holds the license picture (teams, users, subscriptions, seat assignments,
// admins) and computes the Team Insights of docs/insights.md daily.
//
//	collector serve    --db PATH|postgres://... --listen 127.0.0.1:8080 [--enroll-secret X]
//	                   [--max-body 8388608] [--insights-hour 2] [--catalog FILE.toml]
//	                   [--max-device-users 20] [--tls-cert FILE --tls-key FILE]
//	collector import   --db ... --kind teams|users|subscriptions|assignments [--replace] FILE.csv
//	collector admin    --db ... --team T --email E --role primary|secondary|sso|user [--can-purchase] [--expires 90d]
//	collector admin    --db ... --list | --revoke EMAIL|TOKEN-ID
//	collector insights --db ... --as-of YYYY-MM-DD
//	collector revoke   --db ... --device ID [--delete-data]
//	collector enroll-token --db ... [--expires 7d] [--uses 1]
//	collector enroll-token --db ... --list | --revoke ID
//
// --db is a SQLite file (created on first start) or a postgres:// URL; the
// same SQL runs on both. --catalog adds [[product]] entries (the agent
// config's shape) to the built-in catalog.
//
// # Readings of the contract
//
//   - An assignment counts on as_of when assigned_on <= as_of, for the seat
//     count of under_assignment, for a team's users and for over_assignment.
//   - The window is as_of-89 .. as_of inclusive. inactive_user's "since
//     before the window started" means assigned_on < as_of-89.
//   - product_version.share is a fraction 0..1; users lists the emails of
//     the team's users who used that version in the window, sorted.
//   - product_performance: a user's mean is sum/count of the day stats over
//     the window (startup_ms for startup, save_ms for save); p25/p50/p75 are
//     percentile_cont over the means of every matched user of the collector;
//     team users are counted in buckets <=p25, <=p50, <=p75, above;
//     team_mean_ms is the mean of the team users' means (null when none has
//     data). With fewer than 5 users of data collector-wide the product and
//     metric are listed under unavailable (with "product" and "metric").
//     Products considered: those the team subscribes to or its users ran.
//   - command_usage lists, per product, the categories the team completed
//     commands in, with share = count / team total and peer_share the same
//     category's share among matched users outside the team (0 when none).
//   - A classic team, or one with no single-user or flex subscription, gets
//     "insights": [] and every kind listed under unavailable with the reason.
//   - over_assignment is stored in every snapshot and removed at read time
//     for admins without purchase permission.
//   - The daily job computes as_of = yesterday once the local hour reaches
//     --insights-hour, and after downtime catches up missed days (up to 31);
//     a fresh database starts with the latest due day. When uploads
//     change the days of the latest computed day after it was computed, its
//     snapshots are computed again, at most once an hour.
//   - Snapshots read 8-day block aggregates (migration 004), computed from
//     usage rows on first need and again after an upload or a deleted
//     device changed the block, plus the window's edge days from usage rows.
//   - Stat sums (startup, open, save) count only rows that obey the wire
//     contract (count >= 1, 0 <= sum <= count*86,400,000) and add up in
//     floating point; command counts over 1,000,000 a day count as 0: a row
//     stored before the contract bounded them cannot fail or skew a read.
//
// # Devices and enrollment
//
//   - A device enrolls with the shared secret of --enroll-secret (or
//     $TEAMLENS_ENROLL_SECRET) or with a token from "collector enroll-token",
//     sent in the same enroll_secret field, so agents and the installer need
//     no change. A token starts with "tle_", is printed once and stored as
//     a SHA-256 hash; it enrolls at most --uses devices (default 1) until
//     --expires (default 7d; days, a duration or a date). serve without
//     --enroll-secret (or with it empty, and no environment variable) turns
//     the shared secret off: only minted tokens enroll. "enroll-token --list"
//     shows ids, expiry and uses (never the tokens); "--revoke ID" ends one
//     at once (its expiry becomes now; devices it enrolled stay enrolled).
//   - The collector records which devices report each login on which day
//     (device_logins). The usage details list them per user (usage.csv
//     column devices: "hostname (device id)" separated by ";", most days
//     first; store.DevicesByLogin for the console).
//   - A device may report at most --max-device-users distinct users (login
//     keys: CORP\jdoe and jdoe are one) per usage date, default 20, 0 for no
//     cap. A batch that would pass it is refused whole with 400 naming the
//     first day over the cap (so the agent quarantines that day and sends
//     the rest) and logged as a warning with the device and date. A device's
//     concurrent batches are serialized, so they cannot pass the cap
//     together.
//   - "collector revoke --device ID --delete-data" revokes the token and
//     deletes, in one transaction, every usage day and command the device
//     sent and its device-login rows. Snapshots already computed keep their
//     figures until recomputed ("collector insights --as-of").
//
// # Operations
//
//   - --tls-cert/--tls-key (PEM, both or neither) serve HTTPS, TLS 1.2 or
//     newer; the files are read at start, so a bad one fails at once.
//   - The log has one line per upload (msg=upload device days status ms,
//     with the reason when refused) and one per other refused request
//     (msg="request refused" method route status reason remote ms). The
//     reason is the error the client was sent, never a token or secret.
//   - GET /metrics (Prometheus text, no authentication: it holds counts,
//     not data) serves teamlens_http_requests_total{route,code} (route is
//     the route pattern, "unmatched" for none),
//     teamlens_http_request_duration_seconds{route},
//     teamlens_upload_days_total, teamlens_upload_batch_days,
//     teamlens_insights_job_duration_seconds (each day the daily job
//     computes), teamlens_database_size_bytes (SQLite pages or
//     pg_database_size, read at scrape), and the Go and process collectors.
//   - "installer package --format deb --component collector" builds a .deb
//     of the collector (see the installer's documentation).
//
// # HTTP
//
//	POST /v1/enroll                     {"enroll_secret","hostname"} -> {"device_id","device_token"}; 401 wrong secret or token
//	POST /v1/usage                      device token; 200 {"accepted":N}, 400 {"error","day"?} (also over the user cap), 401, 413
//	GET  /v1/benchmarks?product=P       device token; wire.Benchmarks (startup, open, save)
//	GET  /v1/teams                      admin token; {"email","teams":[{team,name,plan,user_management,role,can_purchase}]}
//	                                    the teams the token's admin may read (role user: none)
//	GET  /v1/teams/{team}               admin token; subscriptions with their assignments (an ended
//	                                    online subscription still holding seats only with purchase permission)
//	GET  /v1/teams/{team}/insights      admin token; stored snapshot, latest or ?as_of=
//	                                    (computed on first request when missing, for
//	                                    that team only; 400 for an as_of after today
//	                                    or more than two years ago)
//	GET  /v1/teams/{team}/insights.csv  admin token; the same snapshot as CSV
//	GET  /v1/teams/{team}/usage.csv     admin token; per-user usage details, ?as_of= (default today)
//	POST /v1/teams/{team}/assignments   admin token; {"subscription","email"} -> 201 (seat from today);
//	                                    403 role sso/user, 404 unknown user or another team's
//	                                    subscription, 409 no free seat or already held
//	DELETE /v1/teams/{team}/assignments/{subscription}/{email}  -> 204; 404 no such seat
//	GET  /v1/teams/{team}/audit         admin token; {"team","entries":[{at,actor,action,subscription,email,detail}]},
//	                                    newest first, at most 200
//	GET  /healthz
//	/ (everything else)                 the Team Insights console (collector/internal/console)
//	GET  /metrics                       Prometheus metrics
//
// An admin is an email holding roles on teams; `collector admin` grants one
// and prints a new token; every token of the email serves all its teams
// until it expires or is revoked (401 from then on, on the API and the
// console). Roles primary, secondary and sso read their team; primary and
// secondary change assignments; primary manages the team's tokens on the
// console; role user and other teams get 403. over_assignment (and the
// ended subscriptions behind it, in /v1/teams/{team} and the usage details)
// is shown only to admins with purchase permission. Every assignment change
// and token change is in the audit log, and today's snapshot of the team is
// recomputed before the answer.
//
// import --replace makes the file the whole truth for its kind in one
// transaction: rows absent from it are removed (a removed user's or
// subscription's seats with it; a team that still has subscriptions cannot
// be removed) and "N added, N changed, N removed, N unchanged" is printed;
// any failure leaves the database as it was.
//
// # insights.csv
//
// One row per finding (command_usage: one row per category); a column a
// kind does not use is empty:
//
//	team,as_of,kind,product,subscription,user,version,metric,category,
//	seats,assigned,available,ended_on,last_used,days_used,share,peer_share,count,
//	p25,p50,p75,users_q1,users_q2,users_q3,users_q4,team_mean_ms,users
//
// users holds emails separated by ";" (over_assignment, product_version);
// users_q1..users_q4 are users_by_quartile.
//
// Every CSV cell that a spreadsheet would evaluate (first character, after
// white space, one of = + - @ | %, their full-width forms, or a control
// character such as tab or CR) is written with a leading apostrophe; plain
// numbers such as -3 are left alone (collector/internal/csvsafe).
//
// # usage.csv
//
// One row per team user and product the user is assigned or used in the 90
// days ending on as_of:
//
//	email,login,product,days_used,last_used,versions,assigned_on,subscriptions,devices
//
// days_used counts distinct days in the window; last_used is the last usage
// day on or before as_of; versions are the versions used in the window,
// separated by ";"; assigned_on is the earliest assignment of the product on
// one of the team's subscriptions (empty when used without one);
// subscriptions are the team's subscriptions of the product the user holds a
// seat of, separated by ";"; devices are the devices that reported the user
// in the window.
package main
