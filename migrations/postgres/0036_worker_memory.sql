-- Each worker's memory as its last heartbeat measured it (resident set and V8 heap in use, in bytes), so
-- an operator sees a leaking worker on another server from any console. NULL: a worker of a version that
-- does not say, or one that has not beaten since it registered. No index: read with the worker rows.
ALTER TABLE jobs.tb_worker ADD COLUMN rss_bytes bigint, ADD COLUMN heap_used_bytes bigint;
