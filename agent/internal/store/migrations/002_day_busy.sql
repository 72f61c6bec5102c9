-- A day keeps the union of its sessions' time, so a new session is added
-- to it without rereading the day's other sessions (NULL for days rolled
-- up before: they are counted from the sessions table once).
ALTER TABLE days ADD COLUMN busy BLOB;
-- Written and never read.
ALTER TABLE events DROP COLUMN date;
ALTER TABLE sessions DROP COLUMN source;
