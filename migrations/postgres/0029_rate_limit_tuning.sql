-- A service's call budget as an operator set it at run time (opsdeck rate-limit tune, the runbooks'
-- "reduce worker budgets temporarily"): the keys tuned (limit, per, max_concurrent), laid over the
-- registry's rate_limit and max_concurrent by every worker.
CREATE TABLE jobs.tb_rate_limit_tuning (
  service_name text PRIMARY KEY,
  settings jsonb NOT NULL,
  set_by text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now(),
  reason text
);
