LOCK TABLE organizations, clients IN SHARE ROW EXCLUSIVE MODE;
ALTER TABLE organizations
    ADD COLUMN client_count BIGINT NOT NULL DEFAULT 0 CHECK (client_count >= 0);
UPDATE organizations o
   SET client_count = (SELECT count(*) FROM clients c WHERE c.organization_id = o.id);
DROP TABLE client_counts;
