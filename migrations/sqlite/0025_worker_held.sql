-- A worker the control plane holds (safe mode or the emergency stop: it takes no new job and is not
-- stopping) says `held`; `draining` is a worker stopping. Reading "draining" for safe mode, operators
-- restarted workers that were only waiting for it to be turned off. SQLite cannot change a CHECK in
-- place, so the table of workers (a row a worker) is rebuilt with the wider one. PostgreSQL 0038.
CREATE TABLE tb_worker_next (
  id                TEXT PRIMARY KEY,
  host              TEXT    NOT NULL,
  pid               INTEGER NOT NULL,
  version           TEXT    NOT NULL,
  started_at        TEXT    NOT NULL,
  concurrency       INTEGER NOT NULL,
  queues            TEXT,
  in_flight         INTEGER NOT NULL DEFAULT 0,
  state             TEXT    NOT NULL CHECK (state = 'running' OR state = 'held' OR state = 'draining' OR state = 'stopped'),
  last_heartbeat_at TEXT    NOT NULL,
  services          TEXT,
  rss_bytes         INTEGER,
  heap_used_bytes   INTEGER
) WITHOUT ROWID;

INSERT INTO tb_worker_next (id, host, pid, version, started_at, concurrency, queues, in_flight, state, last_heartbeat_at, services, rss_bytes, heap_used_bytes)
  SELECT id, host, pid, version, started_at, concurrency, queues, in_flight, state, last_heartbeat_at, services, rss_bytes, heap_used_bytes FROM tb_worker;

DROP TABLE tb_worker;
ALTER TABLE tb_worker_next RENAME TO tb_worker;
