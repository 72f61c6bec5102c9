-- Notifications and reclaim (docs/notifications.md).
--
-- outbox holds every message decided, written in the same transaction as
-- the decision; msg_key is unique, so a decision taken again (an alert
-- found on the next pass, a pass run twice) adds nothing. A deliverer
-- claims a row with a lease (lease_until, lease_owner), sends it and marks
-- it sent; a deliverer that dies leaves a lease that runs out, and the row
-- is claimed again. channel is mail (recipient: an email) or webhook
-- (recipient: a webhook id).
CREATE TABLE outbox (
	id          TEXT PRIMARY KEY,
	msg_key     TEXT NOT NULL UNIQUE,
	team        TEXT NOT NULL,
	kind        TEXT NOT NULL,
	channel     TEXT NOT NULL,
	recipient   TEXT NOT NULL,
	subject     TEXT NOT NULL,
	body        TEXT NOT NULL,
	attachment_name TEXT NOT NULL DEFAULT '',
	attachment  TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	state       TEXT NOT NULL,
	attempts    BIGINT NOT NULL DEFAULT 0,
	next_at     TEXT NOT NULL,
	lease_until TEXT,
	lease_owner TEXT NOT NULL DEFAULT '',
	last_error  TEXT NOT NULL DEFAULT '',
	sent_at     TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_at);
CREATE INDEX outbox_team ON outbox (team, created_at);

-- A team's webhooks; secret signs generic bodies and is shown once. No
-- foreign key to teams: `import --replace` may remove a team.
CREATE TABLE webhooks (
	id         TEXT PRIMARY KEY,
	team       TEXT NOT NULL,
	url        TEXT NOT NULL,
	kind       TEXT NOT NULL,
	secret     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX webhooks_team ON webhooks (team);

-- One reclaim policy per team and product; keep_list is emails, one a line.
CREATE TABLE reclaim_policies (
	team            TEXT NOT NULL,
	product         TEXT NOT NULL,
	inactive_days   BIGINT NOT NULL,
	notice_days     BIGINT NOT NULL,
	exclude_days    BIGINT NOT NULL,
	keep_list       TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	updated_by      TEXT NOT NULL,
	PRIMARY KEY (team, product)
);

-- A notice told a user their seat will be reclaimed on expires_on unless
-- they follow the link, whose token is kept hashed. state: open, kept
-- (the link), used (they used the product again), reclaimed, cancelled
-- (policy off, seat gone).
CREATE TABLE reclaim_notices (
	id           TEXT PRIMARY KEY,
	team         TEXT NOT NULL,
	product      TEXT NOT NULL,
	subscription TEXT NOT NULL,
	email        TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	noticed_on   TEXT NOT NULL,
	expires_on   TEXT NOT NULL,
	state        TEXT NOT NULL,
	resolved_at  TEXT
);
CREATE INDEX reclaim_notices_open ON reclaim_notices (team, state);

-- Alerts that hold (seats nearly all assigned, pool full, over-assigned):
-- one row while the condition holds, so each occurrence is told once.
CREATE TABLE alert_open (
	alert_key TEXT PRIMARY KEY,
	team      TEXT NOT NULL,
	opened_on TEXT NOT NULL
);

-- Admins who turned the weekly digest off.
CREATE TABLE digest_optout (
	email TEXT PRIMARY KEY,
	at    TEXT NOT NULL
);
