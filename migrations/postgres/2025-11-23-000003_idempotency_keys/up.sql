-- Idempotency-Key records (PostgreSQL), per organization, kept until expires_at.

CREATE TABLE idempotency_keys (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
    idempotency_key TEXT COLLATE "C" NOT NULL,
    -- A hash of the request, to tell a replay from a reuse with another body.
    fingerprint     TEXT      NOT NULL,
    -- NULL while the first request is in progress.
    response_status INTEGER,
    response_body   BYTEA,
    locked_at       TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (organization_id, idempotency_key)
);

CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
