import { z } from 'zod';
import { Timestamp } from './domain.ts';
import { CronText, TimeZone } from './schedule.ts';
import { nextFires } from './scheduleMath.ts';

/**
 * Checking a cron expression and its zone without adding a schedule (the runbook's "verify cron
 * expression syntax"): the problems in the words `schedules.add` and the registry check refuse them with,
 * since the same schemas read them, or the next fires.
 */

export const ScheduleCheckInput = z
  .object({
    cron: z.string().max(1000),
    /** Default UTC, as a schedule's. */
    timezone: z.string().max(200).optional(),
    /** How many next fires to answer with. */
    count: z.number().int().min(1).max(50).default(5),
  })
  .strict();
export type ScheduleCheckInput = z.input<typeof ScheduleCheckInput>;

export const ScheduleCheckProblem = z.object({ field: z.enum(['cron', 'timezone']), message: z.string() });

export const ScheduleCheck = z.object({
  cron: z.string(),
  timezone: z.string(),
  /** No problems: a schedule of this cron and zone would be added. */
  ok: z.boolean(),
  problems: z.array(ScheduleCheckProblem),
  /** The next fires after now, as instants (empty with a problem); shown in the zone and the viewer's. */
  next_fires: z.array(Timestamp),
});
export type ScheduleCheck = z.infer<typeof ScheduleCheck>;

function firstIssue(result: { success: boolean; error?: z.ZodError | undefined }): string | null {
  return result.success ? null : (result.error?.issues[0]?.message ?? 'not valid');
}

export function checkSchedule(input: z.output<typeof ScheduleCheckInput>, now: Date): ScheduleCheck {
  const cron = CronText.safeParse(input.cron);
  const zone = TimeZone.default('UTC').safeParse(input.timezone);
  const problems: ScheduleCheck['problems'] = [];
  const cronProblem = firstIssue(cron);
  if (cronProblem !== null) problems.push({ field: 'cron', message: cronProblem });
  const zoneProblem = firstIssue(zone);
  if (zoneProblem !== null) problems.push({ field: 'timezone', message: zoneProblem });
  const timezone = zone.data ?? input.timezone ?? 'UTC';
  const fires = cron.data !== undefined && zone.data !== undefined ? nextFires({ cron: cron.data, timezone: zone.data }, now, input.count) : [];
  return { cron: cron.data ?? input.cron, timezone, ok: problems.length === 0, problems, next_fires: fires.map((d) => d.toISOString()) };
}
