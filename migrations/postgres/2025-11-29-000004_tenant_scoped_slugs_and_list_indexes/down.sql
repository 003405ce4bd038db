-- Back to installation-wide slugs. This fails (and changes nothing) when two organizations
-- already hold the same slug, which the new scope allows: rename one of them first.
DROP INDEX clients_display_name_trgm_idx;
DROP INDEX clients_name_trgm_idx;
DROP INDEX clients_subscription_plan_idx;
DROP INDEX clients_business_type_idx;
CREATE INDEX clients_business_type_idx ON clients (organization_id, business_type);
CREATE INDEX clients_subscription_plan_idx ON clients (organization_id, subscription_plan);
DROP TABLE slug_counters;
CREATE TABLE slug_counters (
    base TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    last BIGINT NOT NULL
);
DROP INDEX clients_slug_uq;
CREATE UNIQUE INDEX clients_slug_uq ON clients (slug);
