-- Who does the upkeep (pruning by the retention of the registry, giving space back): one process at a
-- time among all that share this file, each taking the task for a while and renewing it while it works.
-- A process that dies leaves its lease to run out, and the next one takes the task over.
CREATE TABLE tb_maintenance_lease (
  task       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  expires_at TEXT NOT NULL
) WITHOUT ROWID;
