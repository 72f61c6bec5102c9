-- Which devices report each login, per usage day: admins see who reports a
-- user, the per-device cap counts a device's distinct users of a day, and
-- `collector revoke --delete-data` removes a device's rows with its days.
CREATE TABLE device_logins (
	device_id  TEXT NOT NULL,
	login      TEXT NOT NULL,
	day        TEXT NOT NULL,
	first_seen TEXT NOT NULL,
	last_seen  TEXT NOT NULL,
	PRIMARY KEY (device_id, day, login)
);
CREATE INDEX device_logins_login ON device_logins (login, day);

-- The last upload of a device. PutDays updates it first: on PostgreSQL the
-- row lock serializes a device's concurrent uploads, so parallel batches
-- cannot slip past the user cap together.
ALTER TABLE devices ADD COLUMN last_upload_at TEXT;

-- Enrollment tokens an admin mints (`collector enroll-token`); only the
-- hash is kept. A token enrolls up to max_uses devices until expires_at.
CREATE TABLE enroll_tokens (
	id         TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	max_uses   BIGINT NOT NULL,
	used       BIGINT NOT NULL
);
