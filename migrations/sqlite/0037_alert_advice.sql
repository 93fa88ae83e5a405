-- An alert's advice (check a half-open breaker's service by hand, then reset it) kept as facts beside its
-- summary, a JSON array of {service, kind}, so each interface words it its own way when it reads the alert:
-- a command on the command line, an endpoint over REST, a button in the console. NULL on the rows written
-- before: their summary already holds its advice, in the CLI's words. PostgreSQL 0051.
ALTER TABLE tb_alert_state ADD COLUMN advice TEXT;
ALTER TABLE tb_alert_event ADD COLUMN advice TEXT;
