-- Open times of a usage day, for the collector-wide open-time benchmark.
-- Days stored before this migration have them only inside analytics.
ALTER TABLE usage_days ADD COLUMN open_count BIGINT;
ALTER TABLE usage_days ADD COLUMN open_sum BIGINT;

-- The first and last usage day of each login and product. Usage rows are
-- only ever replaced on their own key, so a pair's days only grow and
-- PutDays keeps these bounds up to date; the insight job reads them instead
-- of a user's whole history.
CREATE TABLE login_products (
	login     TEXT NOT NULL,
	product   TEXT NOT NULL,
	first_day TEXT NOT NULL,
	last_day  TEXT NOT NULL,
	PRIMARY KEY (login, product)
);
INSERT INTO login_products (login, product, first_day, last_day)
	SELECT login, product, MIN(day), MAX(day) FROM usage_days GROUP BY login, product;

-- Aggregates of the insight window per block of 8 days (block = days
-- since 1970-01-01 divided by 8), so a snapshot reads a few rows per user
-- instead of one per day. PutDays bumps the generation of every block it
-- writes to; a block's aggregates are valid while agg_blocks holds the
-- generation they were computed at, and the insight job recomputes the
-- others from usage_days.
CREATE TABLE agg_generations (
	block BIGINT PRIMARY KEY,
	gen   BIGINT NOT NULL
);
CREATE TABLE agg_blocks (
	block BIGINT PRIMARY KEY,
	gen   BIGINT NOT NULL
);
CREATE TABLE agg_products (
	block         BIGINT NOT NULL,
	login         TEXT NOT NULL,
	product       TEXT NOT NULL,
	days          BIGINT NOT NULL,
	startup_sum   DOUBLE PRECISION NOT NULL,
	startup_count DOUBLE PRECISION NOT NULL,
	save_sum      DOUBLE PRECISION NOT NULL,
	save_count    DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (block, login, product)
);
CREATE TABLE agg_versions (
	block   BIGINT NOT NULL,
	login   TEXT NOT NULL,
	product TEXT NOT NULL,
	version TEXT NOT NULL,
	days    BIGINT NOT NULL,
	PRIMARY KEY (block, login, product, version)
);
CREATE TABLE agg_commands (
	block     BIGINT NOT NULL,
	login     TEXT NOT NULL,
	product   TEXT NOT NULL,
	command   TEXT NOT NULL,
	completed BIGINT NOT NULL,
	PRIMARY KEY (block, login, product, command)
);

-- A block's and a window edge's usage rows, read by day range without
-- touching the tables: usage_days_day is a prefix of the first.
DROP INDEX usage_days_day;
CREATE INDEX usage_days_window ON usage_days (day, login, product, version, startup_count, startup_sum, save_count, save_sum);
CREATE INDEX usage_commands_day ON usage_commands (day, login, product, command, completed);
