-- The services a worker's registry names (a JSON array), declared at registration and again when its
-- registry changes: a job of a service no live worker can run is seen for what it is (health-check, a
-- job's waiting reasons) before any worker has claimed it and handed it back. NULL: a worker of a
-- version that did not declare them, taken as able to run any.
ALTER TABLE tb_worker ADD COLUMN services TEXT;
