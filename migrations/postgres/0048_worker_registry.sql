-- The registry each worker runs: the sha256 of the file's bytes it loaded, the file, and when it loaded
-- it (at start, or the last reload that took), so an operator sees a worker still running the registry it
-- had before the file was edited (health-check registry compares them). NULL: a worker of a version that
-- does not say. SQLite 0034.
ALTER TABLE jobs.tb_worker ADD COLUMN registry_digest text, ADD COLUMN registry_path text, ADD COLUMN registry_loaded_at timestamptz;
