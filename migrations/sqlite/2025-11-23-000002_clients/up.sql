-- Clients (SQLite). Every index starts with organization_id except the installation-wide slug.

CREATE TABLE clients (
    organization_id   TEXT NOT NULL REFERENCES organizations (id),
    id                TEXT NOT NULL,
    created_by        TEXT REFERENCES users (id) ON DELETE SET NULL,
    name              TEXT NOT NULL,
    -- name_key(name): trimmed and lowercased; unique per organization.
    name_key          TEXT NOT NULL,
    slug              TEXT NOT NULL,
    display_name      TEXT,
    -- The lowercased display name, for the case-insensitive search.
    display_name_key  TEXT,
    business_type     TEXT,
    subscription_plan TEXT,
    status            TEXT NOT NULL
                      CHECK (status IN ('active', 'inactive', 'trial', 'churned', 'pending')),
    contact_person    TEXT,
    contact_email     TEXT,
    phone_number      TEXT,
    domain            TEXT,
    created_at        TEXT NOT NULL,
    last_active_at    TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (organization_id, id)
) STRICT;

CREATE UNIQUE INDEX clients_name_key_uq ON clients (organization_id, name_key);
CREATE UNIQUE INDEX clients_slug_uq ON clients (slug);
CREATE INDEX clients_newest_idx ON clients (organization_id, created_at DESC, id DESC);
CREATE INDEX clients_status_idx ON clients (organization_id, status, created_at DESC, id DESC);
CREATE INDEX clients_business_type_idx ON clients (organization_id, business_type);
CREATE INDEX clients_subscription_plan_idx ON clients (organization_id, subscription_plan);
CREATE INDEX clients_created_by_idx ON clients (created_by);

-- The last suffix handed out per slug base ('acme' -> 1: acme, 2: acme-2, ...).
CREATE TABLE slug_counters (
    base TEXT    NOT NULL PRIMARY KEY,
    last INTEGER NOT NULL
) STRICT;
