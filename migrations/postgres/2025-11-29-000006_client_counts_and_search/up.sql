-- An organization's client count, kept in shards (issue 9). A create adds 1 to one shard and a
-- delete takes 1 from one; the count is the sum of the organization's shards (at most
-- COUNT_SHARDS rows, one index range). Creates on a plan without a limit spread over the shards
-- (by the client's id), so concurrent creates of one organization seldom wait for each other's
-- commit; creates on a limited plan all add to shard 0, whose row lock serialises them, and then
-- read the sum: the limit stays exact across instances. The organization's row is no longer
-- written by creates (they share it with FOR KEY SHARE; a plan change takes FOR UPDATE).
--
-- No foreign key: a shard row is only written next to a client of the organization (whose own
-- key is checked), and a second key check per create would cost a lookup for nothing.
-- No create or delete may commit between the recount and the column's drop (an instance of the
-- previous release still running would otherwise go uncounted).
LOCK TABLE organizations, clients IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE client_counts (
    organization_id TEXT COLLATE "C" NOT NULL,
    shard           SMALLINT NOT NULL CHECK (shard >= 0),
    n               BIGINT NOT NULL,
    PRIMARY KEY (organization_id, shard)
);

-- The counts as they were, recounted from the clients themselves (exact by construction).
INSERT INTO client_counts (organization_id, shard, n)
SELECT o.id, 0, (SELECT count(*) FROM clients c WHERE c.organization_id = o.id)
  FROM organizations o;

ALTER TABLE organizations DROP COLUMN client_count;
