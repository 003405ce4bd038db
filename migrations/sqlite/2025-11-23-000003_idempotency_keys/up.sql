-- Idempotency-Key records (SQLite), per organization, kept until expires_at.

CREATE TABLE idempotency_keys (
    organization_id TEXT    NOT NULL REFERENCES organizations (id),
    idempotency_key TEXT    NOT NULL,
    -- A hash of the request, to tell a replay from a reuse with another body.
    fingerprint     TEXT    NOT NULL,
    -- NULL while the first request is in progress.
    response_status INTEGER,
    response_body   BLOB,
    locked_at       TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL,
    PRIMARY KEY (organization_id, idempotency_key)
) STRICT;

CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
