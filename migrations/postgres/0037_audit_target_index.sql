-- An action's newest audit row about one target (who asked a job, or its workflow run, to stop) is a seek,
-- not a read back through every row of that action: the audit log is kept for good. SQLite 0024.
CREATE INDEX idx_tb_audit_log_action_target ON jobs.tb_audit_log (action, target, id);
