import { z } from 'zod';
import { payloadObject, plainString } from './fields.ts';
import { JobStatus, Timestamp } from './domain.ts';
import { cronProblem, isTimeZone } from './scheduleMath.ts';
import { timeZoneProblem } from './timeZoneGuess.ts';
import { WORKFLOW_PAYLOAD_KEY, WorkflowRunStatus } from './workflow.ts';

/**
 * Schedules: a cron expression in an IANA time zone that enqueues a job of a service or starts a run of a
 * workflow. They come from the
 * registry's `schedules:` (synced into the store when a registry loads) or from an operator (console, CLI,
 * REST), and both are kept in the store, where every worker sharing it reads them.
 */

export const ScheduleName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'use letters, digits, _ . - (at most 100)');

/**
 * What to do with fires that passed while no worker was there to fire them (downtime longer than
 * MISSED_AFTER_MS): `skip` them (recorded as skipped), `run_once` for all of them, or `catch_up` each of
 * them, the latest `max_catch_up` at most.
 */
export const MissedPolicy = z.enum(['skip', 'run_once', 'catch_up']);
export type MissedPolicy = z.infer<typeof MissedPolicy>;

export const CronText = z
  .string()
  .trim()
  .min(1, 'cron is empty')
  .max(200)
  .superRefine((text, ctx) => {
    const problem = cronProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, { error: (issue) => timeZoneProblem(String(issue.input)) });

const scheduleFields = {
  name: ScheduleName,
  /** What a fire starts: exactly one of `service` and `workflow`. */
  service: z.string().min(1).max(100).optional(),
  workflow: z.string().min(1).max(100).optional(),
  cron: CronText,
  timezone: TimeZone.default('UTC'),
  /** The payload of every job the schedule enqueues (a workflow's: of every run, an object). */
  payload: z.json().optional(),
  /** Default: the service's queue. A workflow's tasks run on their services' queues. */
  queue: plainString(100).optional(),
  enabled: z.boolean().default(true),
  missed: MissedPolicy.default('skip'),
  /** The most missed fires `catch_up` runs after a downtime; the older ones are recorded skipped. */
  max_catch_up: z.number().int().min(1).max(1000).default(10),
  description: z.string().max(500).optional(),
};

/** One target, never both, never none; a workflow's payload is an object it lays over its tasks' payloads. */
function oneTarget(
  value: { service?: string | undefined; workflow?: string | undefined; payload?: unknown; queue?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (value.workflow === undefined) {
    if (value.service === undefined) {
      ctx.addIssue({ code: 'custom', path: ['service'], message: 'a schedule needs what it starts: add service: <name> or workflow: <name>' });
    }
    return;
  }
  if (value.service !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['workflow'], message: 'a schedule starts one thing: name a service or a workflow, not both' });
  }
  if (value.queue !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['queue'], message: "a workflow's tasks run on their services' queues: remove queue:" });
  }
  const { payload } = value;
  if (payload === undefined) return;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    ctx.addIssue({ code: 'custom', path: ['payload'], message: "a workflow schedule's payload is an object (the run's payload)" });
  } else if (Object.hasOwn(payload, WORKFLOW_PAYLOAD_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['payload', WORKFLOW_PAYLOAD_KEY], message: `the payload key '${WORKFLOW_PAYLOAD_KEY}' is reserved for what the workflow passes its tasks` });
  }
}

/** A schedule as the registry's `schedules:` and `opsdeck schedule add` write it, and as the store keeps it. */
export const ScheduleConfig = z.object(scheduleFields).strict().superRefine(oneTarget);
export type ScheduleConfig = z.output<typeof ScheduleConfig>;
export type ScheduleInput = z.input<typeof ScheduleConfig>;

/**
 * A schedule being added, by the registry or an operator: a service's payload is each fire's job's, so a
 * JSON object as enqueue takes it (a workflow's is checked above). One kept from before is read as it is.
 */
export const NewScheduleConfig = ScheduleConfig.superRefine((value, ctx) => {
  if (value.workflow !== undefined || value.payload === undefined) return;
  const checked = payloadObject.safeParse(value.payload);
  if (!checked.success) ctx.addIssue({ code: 'custom', path: ['payload'], message: checked.error.issues[0]?.message ?? 'must be a JSON object' });
});

/** What a schedule starts: a job of a service, or a run of a workflow. */
export type ScheduleTarget = { kind: 'service'; name: string } | { kind: 'workflow'; name: string };

export function targetOf(config: ScheduleConfig): ScheduleTarget {
  return config.workflow !== undefined ? { kind: 'workflow', name: config.workflow } : { kind: 'service', name: config.service ?? '' };
}

/** How a schedule's target reads in messages: `service nightly` or `workflow nightly_etl`. */
export function targetText(config: ScheduleConfig): string {
  const target = targetOf(config);
  return `${target.kind} ${target.name}`;
}

export const ScheduleSource = z.enum(['registry', 'operator']);
export type ScheduleSource = z.infer<typeof ScheduleSource>;

export const FireTrigger = z.enum(['cron', 'manual']);
export const FireStatus = z.enum(['fired', 'skipped']);

/** One fire of a schedule: a job enqueued or a workflow run started, or fires skipped (and why). */
export const ScheduleFire = z.object({
  id: z.number().int(),
  schedule: z.string(),
  /** The time the cron expression named (run-now: when the operator asked). */
  fire_at: Timestamp,
  trigger: FireTrigger,
  status: FireStatus,
  /** Why fires were skipped: `emergency_stop`, `missed`, or what kept the schedule from firing. */
  reason: z.string().nullable(),
  /** How many fires this row stands for: skipped fires of one tick are recorded together. */
  count: z.number().int(),
  /** The job's identifier: `schedule:<name>:<fire time>` (run-now: `schedule:<name>:run-now:<time>`). */
  fire_key: z.string(),
  job_id: z.number().int().nullable(),
  job_status: JobStatus.nullable(),
  /** The workflow run a workflow schedule's fire started (its identifier is the fire key). */
  run_id: z.number().int().nullable(),
  run_status: WorkflowRunStatus.nullable(),
  recorded_at: Timestamp,
  recorded_by: z.string(),
});
export type ScheduleFire = z.infer<typeof ScheduleFire>;

/** A schedule as the store keeps it. */
export const StoredSchedule = z.object({
  name: z.string(),
  source: ScheduleSource,
  config: ScheduleConfig,
  paused: z.boolean(),
  paused_by: z.string().nullable(),
  paused_at: Timestamp.nullable(),
  pause_reason: z.string().nullable(),
  /** The next fire not yet handled; null while the schedule does not fire (disabled, paused). */
  next_fire_at: Timestamp.nullable(),
  created_at: Timestamp,
  created_by: z.string(),
  updated_at: Timestamp,
  last_fire: ScheduleFire.nullable(),
});
export type StoredSchedule = z.infer<typeof StoredSchedule>;

/** A schedule as the console and the CLI show it. */
export const ScheduleView = StoredSchedule.extend({
  /** Enabled in its definition and not paused by an operator. */
  active: z.boolean(),
  /** The next three fires (empty while inactive), as instants; shown in the schedule's zone and the viewer's. */
  next_fires: z.array(Timestamp),
  /** What keeps it from firing, if anything (its service or workflow is not in the registry loaded here). */
  problem: z.string().nullable(),
});
export type ScheduleView = z.infer<typeof ScheduleView>;

/** What pausing or resuming answers: the schedule after it, and whether the action changed anything. */
export const ScheduleChange = ScheduleView.extend({
  /** False when the schedule already was as asked: nothing was written, nothing audited. */
  changed: z.boolean(),
  /** What the operator asked for and did not get, in words: a no-op, or a schedule that still fires nothing. */
  note: z.string().nullable(),
});
export type ScheduleChange = z.infer<typeof ScheduleChange>;
