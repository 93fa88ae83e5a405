-- A workflow schedule's fire starts a run, not a job: the fire row names the run it started (its
-- identifier is the fire key). Null for service fires and skipped ones. Read by id only, never searched;
-- adding a nullable column without a default rewrites nothing.
ALTER TABLE jobs.tb_schedule_fire ADD COLUMN run_id bigint;
