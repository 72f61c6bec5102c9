// Command collector receives daily usage summaries from Teamlens agents,
// holds the license picture (teams, users, subscriptions, seat assignments,
// admins) and computes the Team Insights of shared/DESIGN.md daily.
//
//	collector serve    --db PATH|postgres://... --listen 127.0.0.1:8080 --enroll-secret X
//	                   [--max-body 8388608] [--insights-hour 2] [--catalog FILE.toml]
//	collector import   --db ... --kind teams|users|subscriptions|assignments FILE.csv
//	collector admin    --db ... --team T --email E --role primary|secondary|sso|user [--can-purchase]
//	collector insights --db ... --as-of YYYY-MM-DD
//	collector revoke   --db ... --device ID
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
// # HTTP
//
//	POST /v1/enroll                     {"enroll_secret","hostname"} -> {"device_id","device_token"}; 401 wrong secret
//	POST /v1/usage                      device token; 200 {"accepted":N}, 400 {"error","day"?}, 401, 413
//	GET  /v1/benchmarks?product=P       device token; wire.Benchmarks (startup, open, save)
//	GET  /v1/teams/{team}               admin token; subscriptions with their assignments
//	GET  /v1/teams/{team}/insights      admin token; stored snapshot, latest or ?as_of=
//	                                    (computed on first request when missing, for
//	                                    that team only; 400 for an as_of after today
//	                                    or more than two years ago)
//	GET  /v1/teams/{team}/insights.csv  admin token; the same snapshot as CSV
//	GET  /v1/teams/{team}/usage.csv     admin token; per-user usage details, ?as_of= (default today)
//	GET  /healthz
//
// Admin tokens of role primary, secondary or sso read their own team; role
// user and other teams get 403, no or an unknown token 401.
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
//	email,login,product,days_used,last_used,versions,assigned_on
//
// days_used counts distinct days in the window; last_used is the last usage
// day on or before as_of; versions are the versions used in the window,
// separated by ";"; assigned_on is the earliest assignment of the product on
// one of the team's subscriptions (empty when used without one).
package main
