-- An admin token's last use (at most a minute stale) and its scope: a
-- read-only token reads insights and exports, and changes nothing.
ALTER TABLE admin_tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE admin_tokens ADD COLUMN read_only BIGINT NOT NULL DEFAULT 0;
