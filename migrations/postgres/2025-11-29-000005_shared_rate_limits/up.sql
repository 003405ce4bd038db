-- Rate-limit windows shared by every instance on this database: one row per bucket (an API key
-- and class of request, a client address, an account), counted by one upsert per request.
-- UNLOGGED: no WAL and no fsync for a counter whose loss in a crash only restarts a window.
CREATE UNLOGGED TABLE rate_limit_windows (
    bucket TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    hits BIGINT NOT NULL
);
