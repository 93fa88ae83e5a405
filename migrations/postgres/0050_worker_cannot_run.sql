-- What each worker found it cannot run at its last check (a variable a service names unset there, the
-- Docker daemon not answering it, AWS credentials not found), as JSON written with a heartbeat, so the
-- fleet's views say which worker lacks what. NULL: not known (a worker of a version that does not check,
-- or one not yet checked since it registered), never "nothing". SQLite 0036.
ALTER TABLE jobs.tb_worker ADD COLUMN cannot_run jsonb;
