-- When a breaker last left closed, kept through open → half_open → open, so breaker_open alerts measure
-- the whole outage: opened_at moves with each failed probe. A breaker not closed now is taken to have
-- left closed when it last opened (the best there is to go on).
ALTER TABLE jobs.tb_breaker ADD COLUMN left_closed_at timestamptz;
UPDATE jobs.tb_breaker SET left_closed_at = opened_at WHERE state <> 'closed';
