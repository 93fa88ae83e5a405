-- A run keeps its workflow's stuck_after from when it started (PostgreSQL 0033): runs started before have
-- none and are judged by the registry at hand.
ALTER TABLE tb_workflow_run ADD COLUMN stuck_after_ms INTEGER;
