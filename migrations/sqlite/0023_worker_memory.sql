-- Each worker's memory as its last heartbeat measured it (resident set and V8 heap in use, in bytes;
-- PostgreSQL 0036). NULL: a worker of a version that does not say, or one that has not beaten since it
-- registered.
ALTER TABLE tb_worker ADD COLUMN rss_bytes INTEGER;
ALTER TABLE tb_worker ADD COLUMN heap_used_bytes INTEGER;
