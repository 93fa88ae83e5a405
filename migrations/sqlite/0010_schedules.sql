-- Schedules (the registry's schedules: and those an operator adds): a cron expression in a time zone that
-- enqueues a job of a service. `config` is the schedule as written (JSON), `timing` what decides when it
-- fires (cron, zone, enabled): when that changes, the next fire is worked out again. `next_fire_at` is the
-- next fire no worker has handled yet; whichever worker first sees it due fires it and moves it on.
CREATE TABLE tb_schedule (
  name          TEXT PRIMARY KEY,
  source        TEXT NOT NULL CHECK (source IN ('registry', 'operator')),
  config        TEXT NOT NULL,
  timing        TEXT NOT NULL,
  enabled       INTEGER NOT NULL DEFAULT 1,
  paused        INTEGER NOT NULL DEFAULT 0,
  paused_by     TEXT,
  paused_at     TEXT,
  pause_reason  TEXT,
  next_fire_at  TEXT,
  last_fire_id  INTEGER,
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) WITHOUT ROWID;

-- What a scheduler tick reads: the few schedules due, never the whole table.
CREATE INDEX idx_tb_schedule_due ON tb_schedule (next_fire_at) WHERE enabled = 1 AND paused = 0;

-- Every fire: a job enqueued, or fires skipped (emergency stop, missed during a downtime). `fire_key` is the
-- job's identifier, `schedule:<name>:<fire time>`: unique, so a fire becomes one job however many workers
-- race for it.
CREATE TABLE tb_schedule_fire (
  id            INTEGER PRIMARY KEY,
  schedule_name TEXT NOT NULL,
  fire_at       TEXT NOT NULL,
  fire_key      TEXT NOT NULL UNIQUE,
  trigger_kind  TEXT NOT NULL CHECK (trigger_kind IN ('cron', 'manual')),
  status        TEXT NOT NULL CHECK (status IN ('fired', 'skipped')),
  reason        TEXT,
  fire_count    INTEGER NOT NULL DEFAULT 1,
  job_id        INTEGER,
  recorded_at   TEXT NOT NULL,
  recorded_by   TEXT NOT NULL
);

-- One schedule's history, newest first.
CREATE INDEX idx_tb_schedule_fire_schedule ON tb_schedule_fire (schedule_name, id);

-- Fires past the history's retention go in batches, oldest first (the upkeep).
CREATE INDEX idx_tb_schedule_fire_recorded ON tb_schedule_fire (recorded_at);
