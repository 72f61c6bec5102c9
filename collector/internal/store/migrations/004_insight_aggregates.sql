-- Open times of a usage day, for the collector-wide open-time benchmark.
-- Days stored before this migration have them only inside analytics.
ALTER TABLE usage_days ADD COLUMN open_count BIGINT;
ALTER TABLE usage_days ADD COLUMN open_sum BIGINT;
