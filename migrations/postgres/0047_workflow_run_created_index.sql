-- Workflow metrics (`opsdeck workflow stats`, the Workflows page) read the runs started in a window through
-- this index, so the read grows with the window's runs, not with every run kept. Creation times only grow,
-- so a run's start pays one append at the index's right edge. SQLite 0033.
CREATE INDEX idx_tb_workflow_run_created_at ON jobs.tb_workflow_run (created_at);
