-- A worker's name (opsdeck worker --name watchdog), so an operator can ask for it by what it does
-- (health-check worker:watchdog) rather than by its generated id. NULL: a worker started without one, or
-- by a version that had none. Several workers may share a name; no index: read with the worker rows.
-- PostgreSQL 0041.
ALTER TABLE tb_worker ADD COLUMN name TEXT;
