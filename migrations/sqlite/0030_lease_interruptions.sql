-- How often a worker stopped the job because the store did not confirm its lease (each such interruption
-- gives its attempt back): each claim tells the worker the count so far, and past a few of them the worker
-- settles the next one as a failure that spends an attempt (engine/classify.ts), so a store that keeps
-- going away cannot have the job run and stop for ever. PostgreSQL 0044.
ALTER TABLE tb_job_run ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0;
