-- Tenants, their users, API keys, sessions and email-verification tokens (SQLite).
-- Timestamps are UTC, stored by diesel as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text, which sorts
-- chronologically. STRICT tables refuse values of the wrong type.

CREATE TABLE organizations (
    id           TEXT    NOT NULL PRIMARY KEY,
    name         TEXT    NOT NULL,
    plan         TEXT    NOT NULL
                 CHECK (plan IN ('free', 'starter', 'professional', 'agency', 'enterprise')),
    -- How many clients the organization holds: the plan limit is checked against it inside the
    -- create transaction (O(1), no COUNT(*) over clients).
    client_count INTEGER NOT NULL DEFAULT 0 CHECK (client_count >= 0),
    created_at   TEXT    NOT NULL
) STRICT;

CREATE INDEX organizations_created_idx ON organizations (created_at, id);

CREATE TABLE users (
    id                  TEXT NOT NULL PRIMARY KEY,
    organization_id     TEXT NOT NULL REFERENCES organizations (id),
    email               TEXT NOT NULL,
    -- Email::key(): the lowercased address, unique (case-insensitive emails).
    email_key           TEXT NOT NULL,
    name                TEXT,
    password_hash       TEXT NOT NULL,
    signup_flow         TEXT NOT NULL CHECK (signup_flow IN ('FREE', 'PAID_TRIAL')),
    email_verified_at   TEXT,
    subscription_status TEXT NOT NULL
                        CHECK (subscription_status IN ('none', 'active', 'past_due', 'canceled')),
    plan_expires_at     TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX users_email_key_uq ON users (email_key);
CREATE INDEX users_organization_idx ON users (organization_id, created_at);

CREATE TABLE verification_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
) STRICT;

CREATE INDEX verification_tokens_user_idx ON verification_tokens (user_id);
CREATE INDEX verification_tokens_expires_idx ON verification_tokens (expires_at);

CREATE TABLE sessions (
    token_hash      TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_keys (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    environment     TEXT NOT NULL CHECK (environment IN ('production', 'sandbox')),
    prefix          TEXT NOT NULL,
    -- SHA-256 (hex) of the key; the key itself is never stored.
    key_hash        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    last_used_at    TEXT,
    revoked_at      TEXT,
    PRIMARY KEY (organization_id, id)
) STRICT;

CREATE UNIQUE INDEX api_keys_key_hash_uq ON api_keys (key_hash);
CREATE UNIQUE INDEX api_keys_id_uq ON api_keys (id);
