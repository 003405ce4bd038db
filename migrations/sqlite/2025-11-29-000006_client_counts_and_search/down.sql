DROP TRIGGER clients_search_update;
DROP TRIGGER clients_search_delete;
DROP TRIGGER clients_search_insert;
DROP TABLE clients_search;
ALTER TABLE organizations
    ADD COLUMN client_count INTEGER NOT NULL DEFAULT 0 CHECK (client_count >= 0);
UPDATE organizations
   SET client_count = (SELECT count(*) FROM clients c WHERE c.organization_id = organizations.id);
DROP TABLE client_counts;
