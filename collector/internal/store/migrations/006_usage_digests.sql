-- Digests replace the block aggregates of 004: one encoded row per day and
-- per block of 8 days holds a span's usage aggregated per login, so a
-- snapshot reads about 25 rows whatever the number of users (see
-- store/window.go). Each day's generation grows with every upload to it; a
-- digest is current while it was computed at the sum of its days'.
DROP TABLE agg_products;
DROP TABLE agg_versions;
DROP TABLE agg_commands;
DROP TABLE agg_blocks;
DROP TABLE agg_generations;

CREATE TABLE usage_generations (
	day TEXT PRIMARY KEY,
	gen BIGINT NOT NULL
);
INSERT INTO usage_generations (day, gen) SELECT DISTINCT day, 1 FROM usage_days;

CREATE TABLE usage_digests (
	first_day TEXT NOT NULL,
	last_day  TEXT NOT NULL,
	gen       BIGINT NOT NULL,
	body      BYTEA NOT NULL,
	PRIMARY KEY (first_day, last_day)
);
