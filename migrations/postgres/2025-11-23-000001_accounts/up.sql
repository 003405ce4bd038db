-- Tenants, their users, API keys, sessions and email-verification tokens (PostgreSQL).
-- Timestamps are UTC in `timestamp` columns (microseconds). Identifiers are text (UUIDs and
-- CUID2s) with the "C" collation, so they sort byte-wise exactly as on SQLite.

CREATE TABLE organizations (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name         TEXT      NOT NULL,
    plan         TEXT      NOT NULL
                 CHECK (plan IN ('free', 'starter', 'professional', 'agency', 'enterprise')),
    -- How many clients the organization holds: the plan limit is checked against it inside the
    -- create transaction, under this row's lock (O(1), no COUNT(*) over clients).
    client_count BIGINT    NOT NULL DEFAULT 0 CHECK (client_count >= 0),
    created_at   TIMESTAMP NOT NULL
);

CREATE INDEX organizations_created_idx ON organizations (created_at, id);

CREATE TABLE users (
    id                  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    organization_id     TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
    email               TEXT      NOT NULL,
    -- Email::key(): the lowercased address, unique (case-insensitive emails).
    email_key           TEXT      NOT NULL,
    name                TEXT,
    password_hash       TEXT      NOT NULL,
    signup_flow         TEXT      NOT NULL CHECK (signup_flow IN ('FREE', 'PAID_TRIAL')),
    email_verified_at   TIMESTAMP,
    subscription_status TEXT      NOT NULL
                        CHECK (subscription_status IN ('none', 'active', 'past_due', 'canceled')),
    plan_expires_at     TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);

CREATE UNIQUE INDEX users_email_key_uq ON users (email_key);
CREATE INDEX users_organization_idx ON users (organization_id, created_at);

CREATE TABLE verification_tokens (
    token_hash TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL
);

CREATE INDEX verification_tokens_user_idx ON verification_tokens (user_id);
CREATE INDEX verification_tokens_expires_idx ON verification_tokens (expires_at);

CREATE TABLE sessions (
    token_hash      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
    user_id         TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL
);

CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_keys (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
    id              TEXT COLLATE "C" NOT NULL,
    name            TEXT      NOT NULL,
    environment     TEXT      NOT NULL CHECK (environment IN ('production', 'sandbox')),
    prefix          TEXT      NOT NULL,
    -- SHA-256 (hex) of the key; the key itself is never stored.
    key_hash        TEXT COLLATE "C" NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    last_used_at    TIMESTAMP,
    revoked_at      TIMESTAMP,
    PRIMARY KEY (organization_id, id)
);

CREATE UNIQUE INDEX api_keys_key_hash_uq ON api_keys (key_hash);
CREATE UNIQUE INDEX api_keys_id_uq ON api_keys (id);
