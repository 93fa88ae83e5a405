-- Schedules (the registry's schedules: and those an operator adds): a cron expression in a time zone that
-- enqueues a job of a service. `config` is the schedule as written, `timing` what decides when it fires
-- (cron, zone, enabled): when that changes, the next fire is worked out again. `next_fire_at` is the next
-- fire no worker has handled yet; whichever worker first locks the row while it is due fires it and moves
-- it on.
CREATE TABLE jobs.tb_schedule (
  name text PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('registry', 'operator')),
  config jsonb NOT NULL,
  timing text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  paused boolean NOT NULL DEFAULT false,
  paused_by text,
  paused_at timestamptz,
  pause_reason text,
  next_fire_at timestamptz,
  last_fire_id bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- What a scheduler tick reads: the few schedules due, never the whole table.
CREATE INDEX idx_tb_schedule_due ON jobs.tb_schedule (next_fire_at) WHERE enabled AND NOT paused;

-- Every fire: a job enqueued, or fires skipped (emergency stop, missed during a downtime). `fire_key` is the
-- job's identifier, `schedule:<name>:<fire time>`: unique, so a fire becomes one job however many workers
-- race for it.
CREATE TABLE jobs.tb_schedule_fire (
  id bigserial PRIMARY KEY,
  schedule_name text NOT NULL,
  fire_at timestamptz NOT NULL,
  fire_key text NOT NULL UNIQUE,
  trigger_kind text NOT NULL CHECK (trigger_kind IN ('cron', 'manual')),
  status text NOT NULL CHECK (status IN ('fired', 'skipped')),
  reason text,
  fire_count integer NOT NULL DEFAULT 1,
  job_id bigint,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by text NOT NULL
);

-- One schedule's history, newest first.
CREATE INDEX idx_tb_schedule_fire_schedule ON jobs.tb_schedule_fire (schedule_name, id);

-- Fires past the history's retention go in batches, oldest first (the upkeep).
CREATE INDEX idx_tb_schedule_fire_recorded ON jobs.tb_schedule_fire (recorded_at);
