-- An organization's client count, kept in shards: the same table as on PostgreSQL (see its
-- migration). An SQLite database has one writer at a time, so every create and delete counts on
-- shard 0, the first write of its transaction.
CREATE TABLE client_counts (
    organization_id TEXT    NOT NULL,
    shard           INTEGER NOT NULL CHECK (shard >= 0),
    n               INTEGER NOT NULL,
    PRIMARY KEY (organization_id, shard)
) STRICT;

INSERT INTO client_counts (organization_id, shard, n)
SELECT o.id, 0, (SELECT count(*) FROM clients c WHERE c.organization_id = o.id)
  FROM organizations o;

ALTER TABLE organizations DROP COLUMN client_count;

-- `q` on SQLite: an FTS5 index of trigrams over the search keys (the lowercased name and display
-- name the list's LIKE compares), kept by triggers. A search of 3 characters or more asks it for
-- the rows whose keys hold the string, then checks them with the same LIKE as before, so results
-- do not change; shorter searches scan as before (docs/decisions/0012-scale.md).
-- External content: the index stores no copy of the keys, only the trigrams, by the clients'
-- rowids (kept by VACUUM for a table with indexes; tested).
CREATE VIRTUAL TABLE clients_search USING fts5(
    name_key, display_name_key,
    content = 'clients', content_rowid = 'rowid',
    tokenize = 'trigram case_sensitive 1'
);
INSERT INTO clients_search (clients_search) VALUES ('rebuild');

CREATE TRIGGER clients_search_insert AFTER INSERT ON clients BEGIN
    INSERT INTO clients_search (rowid, name_key, display_name_key)
    VALUES (new.rowid, new.name_key, new.display_name_key);
END;
CREATE TRIGGER clients_search_delete AFTER DELETE ON clients BEGIN
    INSERT INTO clients_search (clients_search, rowid, name_key, display_name_key)
    VALUES ('delete', old.rowid, old.name_key, old.display_name_key);
END;
CREATE TRIGGER clients_search_update AFTER UPDATE OF name_key, display_name_key ON clients BEGIN
    INSERT INTO clients_search (clients_search, rowid, name_key, display_name_key)
    VALUES ('delete', old.rowid, old.name_key, old.display_name_key);
    INSERT INTO clients_search (rowid, name_key, display_name_key)
    VALUES (new.rowid, new.name_key, new.display_name_key);
END;
