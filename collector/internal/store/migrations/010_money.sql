-- License money (docs/money.md): the price of one seat of a subscription
-- for one term, in thousandths of its currency; NULL is unpriced. A
-- user's department, for cost by department. One row per subscription and
-- day of seats, assigned and active users, kept for years.
ALTER TABLE subscriptions ADD COLUMN price_milli BIGINT;
ALTER TABLE subscriptions ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE subscriptions ADD COLUMN term TEXT NOT NULL DEFAULT 'annual';
ALTER TABLE users ADD COLUMN department TEXT NOT NULL DEFAULT '';

CREATE TABLE seat_history (
	subscription TEXT NOT NULL,
	day          TEXT NOT NULL,
	team         TEXT NOT NULL,
	product      TEXT NOT NULL,
	seats        BIGINT NOT NULL,
	assigned     BIGINT NOT NULL,
	active       BIGINT NOT NULL,
	PRIMARY KEY (subscription, day)
);
CREATE INDEX seat_history_team ON seat_history (team, day);
