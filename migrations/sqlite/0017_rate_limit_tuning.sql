-- A service's call budget as an operator set it at run time (opsdeck rate-limit tune, the runbooks'
-- "reduce worker budgets temporarily"): a JSON object of the keys tuned (limit, per, max_concurrent),
-- laid over the registry's rate_limit and max_concurrent by every worker.
CREATE TABLE tb_rate_limit_tuning (
  service_name TEXT PRIMARY KEY,
  settings     TEXT NOT NULL,
  set_by       TEXT NOT NULL,
  set_at       TEXT NOT NULL,
  reason       TEXT
) WITHOUT ROWID;
