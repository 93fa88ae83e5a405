-- Failed attempts kept per minute (unix seconds at its start) by service, failure class and error
-- fingerprint, whether the job retries or was dead-lettered: `failures.recent` (opsdeck errors, the
-- Overview's "Failing" panel) sums them, so grouping a burst of a hundred thousand failures costs what
-- grouping ten does. Written in the transaction that records the failure, with the other rollups (0005).
CREATE TABLE tb_failure_rollup (
  minute INTEGER NOT NULL,
  service_name TEXT NOT NULL,
  error_class TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  dead_lettered INTEGER NOT NULL DEFAULT 0,
  -- When the first and the latest failure the row counted were recorded (ISO-8601), and the latest one's error.
  first_at TEXT NOT NULL,
  last_at TEXT NOT NULL,
  sample_error TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (minute, service_name, error_class, fingerprint)
) WITHOUT ROWID;
