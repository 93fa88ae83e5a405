-- A workflow schedule's fire starts a run, not a job: the fire row names the run it started (its
-- identifier is the fire key). Null for service fires and skipped ones. Read by id only, never searched.
ALTER TABLE tb_schedule_fire ADD COLUMN run_id INTEGER;
