-- The same table as on PostgreSQL, so that both schemas stay one list of migrations. An SQLite
-- database serves one instance, which counts its rate limits in memory: this table stays empty.
CREATE TABLE rate_limit_windows (
    bucket TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits BIGINT NOT NULL
);
