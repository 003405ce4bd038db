-- Slugs become unique within the organization: another organization's names never influence a
-- slug, so a tenant learns nothing of other tenants from its slugs. Every slug keeps its value
-- (a slug never changes); only the scope of the uniqueness and of the counters changes.
DROP INDEX clients_slug_uq;
CREATE UNIQUE INDEX clients_slug_uq ON clients (organization_id, slug);

-- The counters say where the allocation policy starts looking for a free number; they hold no
-- data of their own (the slugs are in `clients`). Per organization now, they start afresh: the
-- policy skips every slug already taken in the organization.
DROP TABLE slug_counters;
CREATE TABLE slug_counters (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
    base            TEXT COLLATE "C" NOT NULL,
    last            BIGINT NOT NULL,
    PRIMARY KEY (organization_id, base)
);

-- The list's filters, each with the list's order, so a filtered page is an index range too.
DROP INDEX clients_business_type_idx;
DROP INDEX clients_subscription_plan_idx;
CREATE INDEX clients_business_type_idx
    ON clients (organization_id, business_type, created_at DESC, id DESC);
CREATE INDEX clients_subscription_plan_idx
    ON clients (organization_id, subscription_plan, created_at DESC, id DESC);

-- `q`: a case-insensitive substring of the name or the display name, served by trigram indexes
-- scoped to the organization. pg_trgm and btree_gin are trusted extensions: the database's owner
-- may create them (docs/operations.md).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX clients_name_trgm_idx
    ON clients USING gin (organization_id, name_key gin_trgm_ops);
CREATE INDEX clients_display_name_trgm_idx
    ON clients USING gin (organization_id, display_name_key gin_trgm_ops);
