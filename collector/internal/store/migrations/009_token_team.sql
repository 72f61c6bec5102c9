-- A token minted from a team's console page serves that team alone: team
-- names it. NULL is a token of `collector admin`, serving every team of its
-- admin, as before.
ALTER TABLE admin_tokens ADD COLUMN team TEXT;
