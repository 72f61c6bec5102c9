-- An admin is a person (an email) who holds roles on several teams and
-- bearer tokens of their own; one token serves every team of its admin.
-- Tokens can expire and be revoked. The rows of 001's admins table carry
-- over with their token hashes, so every token issued before keeps working.

CREATE TABLE admin_roles (
	email        TEXT NOT NULL,
	team         TEXT NOT NULL REFERENCES teams(team),
	role         TEXT NOT NULL,
	can_purchase BIGINT NOT NULL,
	granted_at   TEXT NOT NULL,
	PRIMARY KEY (email, team)
);

CREATE TABLE admin_tokens (
	id         TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	email      TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT,
	revoked_at TEXT
);
CREATE INDEX admin_tokens_email ON admin_tokens (email);

-- Of several grants of one email on one team, the latest is the role held.
INSERT INTO admin_roles (email, team, role, can_purchase, granted_at)
SELECT a.email, a.team, a.role, a.can_purchase, a.created_at FROM admins a
WHERE NOT EXISTS (SELECT 1 FROM admins b WHERE b.email = a.email AND b.team = a.team
	AND (b.created_at > a.created_at OR (b.created_at = a.created_at AND b.token_hash > a.token_hash)));

INSERT INTO admin_tokens (id, token_hash, email, created_at)
SELECT substr(token_hash, 1, 16), token_hash, email, created_at FROM admins;

DROP TABLE admins;

-- Who changed what of a team's license picture, and when. at is UTC with
-- nanoseconds, fixed width, so text order is time order; seq orders lines
-- of one team written within the same clock reading.
CREATE TABLE audit_log (
	id           TEXT PRIMARY KEY,
	team         TEXT NOT NULL,
	seq          BIGINT NOT NULL,
	at           TEXT NOT NULL,
	actor        TEXT NOT NULL,
	action       TEXT NOT NULL,
	subscription TEXT NOT NULL,
	email        TEXT NOT NULL,
	detail       TEXT NOT NULL
);
CREATE INDEX audit_log_team ON audit_log (team, at, seq);

-- Console sessions: the cookie's value is kept hashed and tied to the token
-- signed in with, so revoking or expiring that token ends the session too.
CREATE TABLE console_sessions (
	id_hash    TEXT PRIMARY KEY,
	token_id   TEXT NOT NULL,
	csrf       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
