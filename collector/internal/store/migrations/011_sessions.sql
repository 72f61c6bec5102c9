-- Console sessions carry who signed in and how, so that a session opened
-- through the company's identity provider (no admin token: token_id is '')
-- lives beside token sessions.
--   email        the admin (the token's email, or the ID token's verified email)
--   source       'token' or 'oidc'
--   subject      the ID token's sub (oidc)
--   group_roles  JSON grants the role map gave the admin's groups at the last check (oidc)
--   refresh      the provider's refresh token, to re-read the groups (oidc)
--   checked_at   when the roles were last re-validated with the provider
--   last_seen_at, idle_until   idle timeout: a request after idle_until finds no session
--   user_agent, address        what "Your sessions" shows
ALTER TABLE console_sessions ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE console_sessions ADD COLUMN source TEXT NOT NULL DEFAULT 'token';
ALTER TABLE console_sessions ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE console_sessions ADD COLUMN group_roles TEXT NOT NULL DEFAULT '';
ALTER TABLE console_sessions ADD COLUMN refresh TEXT NOT NULL DEFAULT '';
ALTER TABLE console_sessions ADD COLUMN checked_at TEXT NOT NULL DEFAULT '';
ALTER TABLE console_sessions ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
ALTER TABLE console_sessions ADD COLUMN idle_until TEXT NOT NULL DEFAULT '';
ALTER TABLE console_sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE console_sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
UPDATE console_sessions SET last_seen_at = created_at, idle_until = expires_at, checked_at = created_at,
	email = COALESCE((SELECT email FROM admin_tokens WHERE admin_tokens.id = console_sessions.token_id), '');
CREATE INDEX console_sessions_email ON console_sessions (email);

-- A sign-in with the identity provider in progress: kept by the hash of its
-- state, taken (deleted) once by the callback, so a state is never good twice.
CREATE TABLE oidc_flows (
	state_hash TEXT PRIMARY KEY,
	nonce      TEXT NOT NULL,
	verifier   TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
