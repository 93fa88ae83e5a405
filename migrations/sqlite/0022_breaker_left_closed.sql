-- When a breaker last left closed, kept through open → half_open → open (PostgreSQL 0035); a breaker not
-- closed now is taken to have left closed when it last opened.
ALTER TABLE tb_breaker ADD COLUMN left_closed_at TEXT;
UPDATE tb_breaker SET left_closed_at = opened_at WHERE state <> 'closed';
