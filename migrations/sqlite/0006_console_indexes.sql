-- Every list the console shows, read through an index in the order it is shown (newest first), so a page
-- costs the same at the top of a million jobs as deep inside them.
--
-- Each finished state's index now leads with the job id after the state, so a status filter walks its
-- jobs newest first and stops at the page's end; it carries service, type and queue too, so the filters
-- that combine with a status are decided from the index entry alone, without reading the row. (Counts per
-- queue no longer read these indexes: they are kept in tb_job_count since migration 0005.) A job still
-- sits in exactly one of them, the one of its state, and a settle moves it from one to another.
DROP INDEX idx_tb_job_run_running;
DROP INDEX idx_tb_job_run_completed;
DROP INDEX idx_tb_job_run_failed;
DROP INDEX idx_tb_job_run_cancelled;
CREATE INDEX idx_tb_job_run_running ON tb_job_run (status, id, service_name, execution_type, queue) WHERE status = 'running';
CREATE INDEX idx_tb_job_run_completed ON tb_job_run (status, id, service_name, execution_type, queue) WHERE status = 'completed';
CREATE INDEX idx_tb_job_run_failed ON tb_job_run (status, id, service_name, execution_type, queue) WHERE status = 'failed';
CREATE INDEX idx_tb_job_run_cancelled ON tb_job_run (status, id, service_name, execution_type, queue) WHERE status = 'cancelled';

-- Error text search: a trigram index over the jobs' error messages, so a search finds its jobs without
-- reading the others, and a search that matches nothing is as quick as one that does. Contentless (the
-- messages stay in tb_job_run) and keyed by the job id; triggers keep it in step with the message.
CREATE VIRTUAL TABLE tb_job_error_text USING fts5 (message, content = '', contentless_delete = 1, tokenize = 'trigram');

INSERT INTO tb_job_error_text (rowid, message)
SELECT id, error_message FROM tb_job_run WHERE error_message IS NOT NULL;

CREATE TRIGGER tb_job_run_error_text_insert AFTER INSERT ON tb_job_run
WHEN new.error_message IS NOT NULL
BEGIN
  INSERT INTO tb_job_error_text (rowid, message) VALUES (new.id, new.error_message);
END;

CREATE TRIGGER tb_job_run_error_text_update AFTER UPDATE OF error_message ON tb_job_run
WHEN new.error_message IS NOT old.error_message
BEGIN
  DELETE FROM tb_job_error_text WHERE rowid = old.id;
  INSERT INTO tb_job_error_text (rowid, message) SELECT new.id, new.error_message WHERE new.error_message IS NOT NULL;
END;

CREATE TRIGGER tb_job_run_error_text_delete AFTER DELETE ON tb_job_run
WHEN old.error_message IS NOT NULL
BEGIN
  DELETE FROM tb_job_error_text WHERE rowid = old.id;
END;
