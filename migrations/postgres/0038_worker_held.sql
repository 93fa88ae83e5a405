-- A worker the control plane holds (safe mode or the emergency stop: it takes no new job and is not
-- stopping) says `held`; `draining` is a worker stopping. Reading "draining" for safe mode, operators
-- restarted workers that were only waiting for it to be turned off. SQLite 0025.
ALTER TABLE jobs.tb_worker DROP CONSTRAINT tb_worker_state_check,
  ADD CONSTRAINT tb_worker_state_check CHECK (state IN ('running', 'held', 'draining', 'stopped'));
