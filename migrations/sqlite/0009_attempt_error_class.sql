-- Jobs by failure class (opsdeck jobs --class resource_limit, /v1/executions?class=): the failed
-- attempts by class, newest job first. Only attempts that failed have a class, so the index holds those
-- alone and a successful attempt writes no entry.
CREATE INDEX idx_tb_job_attempt_error_class ON tb_job_attempt (error_class, job_id) WHERE error_class IS NOT NULL;

-- An attempt whose lease ran out under a worker that stopped answering is of class lost, as the
-- runbooks say; earlier versions wrote LeaseExpired.
UPDATE tb_job_attempt SET error_class = 'lost' WHERE error_class = 'LeaseExpired';
