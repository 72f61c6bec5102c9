-- Read position of every spool file; committed with the events read from it.
CREATE TABLE files (
    path       TEXT PRIMARY KEY,
    dev        INTEGER NOT NULL,
    ino        INTEGER NOT NULL,
    offset     INTEGER NOT NULL,
    line       INTEGER NOT NULL,
    skipping   INTEGER NOT NULL DEFAULT 0,
    user       TEXT NOT NULL,
    ended      INTEGER NOT NULL DEFAULT 0,
    updated_ms INTEGER NOT NULL
);

-- Sanitized events in the journal's own shape (body), one row each.
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    user    TEXT NOT NULL,
    ts_ms   INTEGER NOT NULL,
    date    TEXT NOT NULL,
    product TEXT NOT NULL,
    version TEXT NOT NULL,
    session TEXT NOT NULL,
    type    TEXT NOT NULL,
    body    TEXT NOT NULL
);
CREATE INDEX events_user_ts ON events (user, ts_ms);
CREATE INDEX events_ts ON events (ts_ms);

-- Product sessions, from journals and from the process scan.
CREATE TABLE sessions (
    user     TEXT NOT NULL,
    product  TEXT NOT NULL,
    version  TEXT NOT NULL,
    session  TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    last_ms  INTEGER NOT NULL,
    ended    INTEGER NOT NULL DEFAULT 0,
    source   TEXT NOT NULL,
    PRIMARY KEY (user, product, version, session)
);
CREATE INDEX sessions_span ON sessions (user, product, version, last_ms);

-- Day records of the wire format. rev grows on every change; a day is
-- pending while rev > sent_rev and it is not quarantined at its rev.
CREATE TABLE days (
    user            TEXT NOT NULL,
    product         TEXT NOT NULL,
    version         TEXT NOT NULL,
    date            TEXT NOT NULL,
    minutes         INTEGER NOT NULL DEFAULT 0,
    sessions        INTEGER NOT NULL DEFAULT 0,
    analytics       TEXT,
    rev             INTEGER NOT NULL DEFAULT 1,
    sent_rev        INTEGER NOT NULL DEFAULT 0,
    quarantined_rev INTEGER,
    quarantine_why  TEXT,
    PRIMARY KEY (user, product, version, date)
);
CREATE INDEX days_pending ON days (rev, sent_rev);

CREATE TABLE consent (
    user       TEXT PRIMARY KEY,
    state      TEXT NOT NULL CHECK (state IN ('on', 'off')),
    changed_ms INTEGER NOT NULL
);

CREATE TABLE rejects (
    reason TEXT PRIMARY KEY,
    count  INTEGER NOT NULL
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
