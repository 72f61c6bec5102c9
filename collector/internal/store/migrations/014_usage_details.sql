-- Usage details at any size. The console's usage
-- page filters, sorts, counts and pages a team's rows in SQL: the rows of
-- a team, a scope (what an admin who may purchase sees, or one who may not)
-- and a day are kept here, computed once from the usage and the license
-- picture, and computed again when stamp no longer matches them. One day
-- per team and scope is kept.
CREATE TABLE usage_detail_sets (
	team          TEXT NOT NULL,
	scope         TEXT NOT NULL,
	as_of         TEXT NOT NULL,
	stamp         TEXT NOT NULL,
	total         BIGINT NOT NULL,
	products      TEXT NOT NULL,
	subscriptions TEXT NOT NULL,
	departments   TEXT NOT NULL,
	activity      TEXT NOT NULL,
	PRIMARY KEY (team, scope)
);

-- subscriptions, versions and devices are JSON arrays; search is the
-- email, name and login, lower-cased, that q looks in.
CREATE TABLE usage_details (
	team          TEXT NOT NULL,
	scope         TEXT NOT NULL,
	email         TEXT NOT NULL,
	product       TEXT NOT NULL,
	login         TEXT NOT NULL,
	name          TEXT NOT NULL,
	department    TEXT NOT NULL,
	days_used     BIGINT NOT NULL,
	last_used     TEXT NOT NULL,
	assigned_on   TEXT NOT NULL,
	inactive      BIGINT NOT NULL,
	subscriptions TEXT NOT NULL,
	versions      TEXT NOT NULL,
	devices       TEXT NOT NULL,
	search        TEXT NOT NULL,
	PRIMARY KEY (team, scope, email, product)
);
-- One index per sort order (ties by email, product, as the page shows
-- them), and the inactive users of a product, the team page's "View all".
CREATE INDEX usage_details_product ON usage_details (team, scope, product, email);
CREATE INDEX usage_details_days ON usage_details (team, scope, days_used, email, product);
CREATE INDEX usage_details_last ON usage_details (team, scope, last_used, email, product);
CREATE INDEX usage_details_assigned ON usage_details (team, scope, assigned_on, email, product);
CREATE INDEX usage_details_inactive ON usage_details (team, scope, inactive, product, email);
-- The same orders descending, ties still by email, then product.
CREATE INDEX usage_details_product_desc ON usage_details (team, scope, product DESC, email);
CREATE INDEX usage_details_days_desc ON usage_details (team, scope, days_used DESC, email, product);
CREATE INDEX usage_details_last_desc ON usage_details (team, scope, last_used DESC, email, product);
CREATE INDEX usage_details_assigned_desc ON usage_details (team, scope, assigned_on DESC, email, product);
-- q looks in every row: in this index, not the rows with their lists.
CREATE INDEX usage_details_search ON usage_details (team, scope, email, product, search);

-- A team's cost (the team page's spend and idle seats) as one scope of
-- admins sees it on as_of, kept as JSON under the same kind of stamp.
CREATE TABLE cost_cache (
	team  TEXT NOT NULL,
	scope TEXT NOT NULL,
	as_of TEXT NOT NULL,
	stamp TEXT NOT NULL,
	body  TEXT NOT NULL,
	PRIMARY KEY (team, scope)
);

-- Grows with every change of teams, users, subscriptions (prices too) or
-- assignments:
-- part of a usage set's stamp.
CREATE TABLE license_generation (
	id  BIGINT PRIMARY KEY,
	gen BIGINT NOT NULL
);
INSERT INTO license_generation (id, gen) VALUES (1, 1);
