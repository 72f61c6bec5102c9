-- A usage day's completed commands move into the day's row, as "NAME:count"
-- pairs separated by spaces. A row per command and day cost more to write
-- and to keep than the day itself, and only the completed count was ever
-- read: the other outcomes are no longer kept.
ALTER TABLE usage_days ADD COLUMN commands TEXT;
UPDATE usage_days SET commands = (
	SELECT string_agg(c.command || ':' || CAST(c.completed AS TEXT), ' ')
	FROM usage_commands c
	WHERE c.device_id = usage_days.device_id AND c.os_user = usage_days.os_user AND c.product = usage_days.product
		AND c.version = usage_days.version AND c.day = usage_days.day
		AND c.completed > 0 AND c.completed <= 1000000);
DROP TABLE usage_commands;
