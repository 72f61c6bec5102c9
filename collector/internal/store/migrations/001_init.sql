-- One schema for SQLite and PostgreSQL: TEXT, BIGINT and dates as
-- YYYY-MM-DD text, which sort and compare the same on both engines.

CREATE TABLE devices (
	id          TEXT PRIMARY KEY,
	hostname    TEXT NOT NULL,
	token_hash  TEXT NOT NULL UNIQUE,
	enrolled_at TEXT NOT NULL,
	revoked_at  TEXT
);

-- One row per (device, user, product, version, day): the replace key of the
-- wire format. login is the user lower-cased without its DOMAIN\ prefix, the
-- form directory users are matched on.
CREATE TABLE usage_days (
	device_id     TEXT NOT NULL REFERENCES devices(id),
	os_user       TEXT NOT NULL,
	product       TEXT NOT NULL,
	version       TEXT NOT NULL,
	day           TEXT NOT NULL,
	login         TEXT NOT NULL,
	minutes       BIGINT NOT NULL,
	sessions      BIGINT NOT NULL,
	startup_count BIGINT,
	startup_sum   BIGINT,
	save_count    BIGINT,
	save_sum      BIGINT,
	analytics     TEXT,
	received_at   TEXT NOT NULL,
	PRIMARY KEY (device_id, os_user, product, version, day)
);
CREATE INDEX usage_days_day ON usage_days (day, login, product);
CREATE INDEX usage_days_login ON usage_days (login, product, version, day);
CREATE INDEX usage_days_product ON usage_days (product, day);

CREATE TABLE usage_commands (
	device_id TEXT NOT NULL,
	os_user   TEXT NOT NULL,
	product   TEXT NOT NULL,
	version   TEXT NOT NULL,
	day       TEXT NOT NULL,
	command   TEXT NOT NULL,
	login     TEXT NOT NULL,
	started   BIGINT NOT NULL,
	completed BIGINT NOT NULL,
	canceled  BIGINT NOT NULL,
	undone    BIGINT NOT NULL,
	-- No foreign key to usage_days: PutDays replaces a day's commands with
	-- the day in one transaction, and a per-row check would cost
	-- PostgreSQL more than the insert itself.
	PRIMARY KEY (device_id, os_user, product, version, day, command)
);
CREATE INDEX usage_commands_login ON usage_commands (login, product, command, day, completed);

CREATE TABLE teams (
	team            TEXT PRIMARY KEY,
	name            TEXT NOT NULL,
	plan            TEXT NOT NULL,
	user_management TEXT NOT NULL
);

CREATE TABLE users (
	email     TEXT PRIMARY KEY,
	login     TEXT NOT NULL,
	name      TEXT NOT NULL,
	login_key TEXT NOT NULL
);
CREATE INDEX users_login_key ON users (login_key);

CREATE TABLE subscriptions (
	subscription TEXT PRIMARY KEY,
	team         TEXT NOT NULL REFERENCES teams(team),
	product      TEXT NOT NULL,
	type         TEXT NOT NULL,
	seats        BIGINT NOT NULL,
	channel      TEXT NOT NULL,
	start_on     TEXT NOT NULL,
	end_on       TEXT NOT NULL
);

CREATE TABLE assignments (
	subscription TEXT NOT NULL REFERENCES subscriptions(subscription),
	email        TEXT NOT NULL REFERENCES users(email),
	assigned_on  TEXT NOT NULL,
	PRIMARY KEY (subscription, email)
);

CREATE TABLE admins (
	token_hash   TEXT PRIMARY KEY,
	team         TEXT NOT NULL REFERENCES teams(team),
	email        TEXT NOT NULL,
	role         TEXT NOT NULL,
	can_purchase BIGINT NOT NULL,
	created_at   TEXT NOT NULL
);

CREATE TABLE snapshots (
	team         TEXT NOT NULL,
	as_of        TEXT NOT NULL,
	generated_at TEXT NOT NULL,
	body         TEXT NOT NULL,
	PRIMARY KEY (team, as_of)
);

CREATE TABLE job_state (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
