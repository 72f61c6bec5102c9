-- The analytics of a usage day were kept whole as JSON, and nothing read
-- them: startup, open and save stats and command counts have columns and a
-- table of their own. Objects, views, settings and process samples reach no
-- insight, so the collector no longer keeps them.
ALTER TABLE usage_days DROP COLUMN analytics;
