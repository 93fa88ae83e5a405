-- Each worker's pool of connections between its last two heartbeats, as JSON written with a heartbeat
-- (PostgreSQL 0052). A worker on SQLite has no pool, so it stays NULL here: the column keeps the worker
-- row the same on both stores. NULL: not known, or no pool.
ALTER TABLE tb_worker ADD COLUMN pool TEXT;
