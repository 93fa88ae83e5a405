-- Each worker's pool of connections between its last two heartbeats, as JSON written with a heartbeat
-- (its size, the most connections in use and callers waiting at once, the longest wait), so a pool
-- exhausted between beats is seen from wherever the store is reached. NULL: not known (a worker of a
-- version that does not say, or one that has not beaten since it registered). SQLite 0038.
ALTER TABLE jobs.tb_worker ADD COLUMN pool jsonb;
