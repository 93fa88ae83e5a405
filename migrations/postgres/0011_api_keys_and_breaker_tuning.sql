-- API keys for the REST API (opsdeck api-key create), shared by every host of the fleet. A key reads
-- `odk_<key_id>_<secret>`: key_id finds the row, and only the SHA-256 of the secret is kept (the secret
-- is 256 random bits, so a fast hash is enough: there is no short password to guess). Revoking a key
-- deletes its row; the audit log keeps what it did.
CREATE TABLE jobs.tb_api_key (
  key_id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  scope text NOT NULL CHECK (scope IN ('read', 'operate')),
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz
);

-- A circuit breaker's settings as an operator tuned them at run time (opsdeck breaker tune): the keys
-- tuned (failure_threshold, recovery_timeout, ...), laid over the registry's by every worker.
CREATE TABLE jobs.tb_breaker_tuning (
  service_name text PRIMARY KEY,
  settings jsonb NOT NULL,
  set_by text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now(),
  reason text
);
