-- API keys for the REST API (opsdeck api-key create), kept in the store so every host of a fleet
-- accepts the same keys. A key reads `odk_<key_id>_<secret>`: key_id finds the row, and only the
-- SHA-256 of the secret is kept (the secret is 256 random bits, so a fast hash is enough: there is no
-- short password to guess). Revoking a key deletes its row; the audit log keeps what it did.
CREATE TABLE tb_api_key (
  key_id       TEXT PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  scope        TEXT NOT NULL CHECK (scope = 'read' OR scope = 'operate'),
  secret_hash  TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  expires_at   TEXT,
  last_used_at TEXT
) WITHOUT ROWID;

-- A circuit breaker's settings as an operator tuned them at run time (opsdeck breaker tune): a JSON
-- object of the keys tuned (failure_threshold, recovery_timeout, ...), laid over the registry's.
CREATE TABLE tb_breaker_tuning (
  service_name TEXT PRIMARY KEY,
  settings     TEXT NOT NULL,
  set_by       TEXT NOT NULL,
  set_at       TEXT NOT NULL,
  reason       TEXT
) WITHOUT ROWID;
