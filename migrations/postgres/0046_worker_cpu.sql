-- Each worker process's CPU use as its last heartbeat measured it: the CPU time it spent since the heartbeat
-- before, as a percent of one core (above 100 when it kept more than one core busy; SQLite 0032), beside its
-- memory (0036). NULL: a worker of a version that does not say, or one that has not beaten since it
-- registered. No index: read with the worker rows.
ALTER TABLE jobs.tb_worker ADD COLUMN cpu_percent double precision;
