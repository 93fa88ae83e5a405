-- Rate limits and alerts (issue #19).
--
-- tb_rate_start: the starts of rate-limited services, one row per claim that started any (the claim's
-- time and how many), kept for a little longer than the period. Written only by claims of services with
-- a `rate_limit`, inside the claim's own write transaction, so the limit holds across processes.
CREATE TABLE tb_rate_start (
  service_name TEXT    NOT NULL,
  at           TEXT    NOT NULL,
  n            INTEGER NOT NULL
);
CREATE INDEX idx_tb_rate_start ON tb_rate_start (service_name, at);

-- tb_service_pause: a service whose upstream answered 429 with Retry-After; no job of it starts before `until`.
CREATE TABLE tb_service_pause (
  service_name TEXT PRIMARY KEY,
  until        TEXT NOT NULL,
  reason       TEXT NOT NULL,
  set_at       TEXT NOT NULL
) WITHOUT ROWID;

-- tb_alert_state: each alert rule's last evaluation, and what operators did about it (acknowledged with a
-- note, silenced until a time). tb_alert_event: the firing and resolved transitions and the channels'
-- deliveries, newest first on the Alerts page.
CREATE TABLE tb_alert_state (
  rule           TEXT PRIMARY KEY,
  severity       TEXT NOT NULL,
  firing         INTEGER NOT NULL,
  since          TEXT NOT NULL,
  summary        TEXT NOT NULL,
  value          REAL,
  acked_by       TEXT,
  acked_at       TEXT,
  ack_note       TEXT,
  silenced_until TEXT,
  silenced_by    TEXT,
  evaluated_at   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE tb_alert_event (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  at       TEXT NOT NULL,
  rule     TEXT NOT NULL,
  kind     TEXT NOT NULL CHECK (kind IN ('firing', 'resolved', 'delivery_failed', 'delivered')),
  severity TEXT NOT NULL,
  summary  TEXT NOT NULL,
  channel  TEXT
);

-- tb_alert_rule: alert rules written in the console (the registry's live in its file): the rule as JSON,
-- validated by shared/alerts.ts before it is stored.
CREATE TABLE tb_alert_rule (
  name   TEXT PRIMARY KEY,
  rule   TEXT NOT NULL,
  set_by TEXT NOT NULL,
  set_at TEXT NOT NULL
) WITHOUT ROWID;

