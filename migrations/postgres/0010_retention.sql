-- Who does the upkeep (pruning by the retention of the registry, folding the rollups' stripes): one worker
-- of the fleet at a time, each taking the task for a while and renewing it while it works. A worker that
-- dies leaves its lease to run out, and the next one takes the task over.
CREATE TABLE jobs.tb_maintenance_lease (
  task text PRIMARY KEY,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL
);
