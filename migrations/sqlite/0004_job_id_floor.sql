-- A job id is never handed out twice. tb_job_run.id is an INTEGER PRIMARY KEY without AUTOINCREMENT, so
-- a new job got one more than the largest id present (the bulk insert writes ids the same way): after a
-- purge had deleted the newest jobs, their ids came back for new ones, and the audit rows, notes and
-- tickets naming a purged job then named a stranger. Making the column AUTOINCREMENT means rebuilding
-- the table; instead the purge writes down the largest id it has seen before deleting, and enqueue
-- starts above it.
CREATE TABLE tb_job_id_floor (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  last_id INTEGER NOT NULL
);
INSERT INTO tb_job_id_floor (id, last_id) SELECT 1, coalesce(max(id), 0) FROM tb_job_run;
