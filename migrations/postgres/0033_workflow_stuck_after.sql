-- A run keeps its workflow's stuck_after from when it started, so whoever reads the runs (a CLI without
-- the registry, a console on another machine, a later registry that renamed or dropped the workflow)
-- judges it by its own. Runs started before this migration have none and are judged by the registry at
-- hand, as before.
ALTER TABLE jobs.tb_workflow_run ADD COLUMN stuck_after_ms bigint;
