import { payloadObject } from '../../shared/fields.ts';
import { targetText } from '../../shared/schedule.ts';
import type { ScheduleConfig, ScheduleView, StoredSchedule } from '../../shared/schedule.ts';
import { spanText } from '../../shared/timesInText.ts';
import { nextFires } from '../../shared/scheduleMath.ts';
import type { RegistryHolder } from '../config/holder.ts';
import { OVERDUE_AFTER_MS } from '../engine/overdueSchedules.ts';
import { missingTarget } from '../engine/schedulePlans.ts';

/** What keeps a schedule from firing, as this host sees it; null when nothing does. */
export function scheduleProblem(config: ScheduleConfig, registry: RegistryHolder): string | null {
  const payload = payloadText(config);
  if (payload !== null || registry.loadedAt === null) return payload;
  const missing = missingTarget(config, registry.registry);
  return missing === null ? null : `${missing} loaded here: workers whose registry lacks it leave the schedule alone`;
}

/**
 * A payload no schedule may be added with any more, kept as it was saved before a job's payload had to be
 * an object: its fires still enqueue it, and the HTTP and noop runners read nothing of it.
 */
function payloadText(config: ScheduleConfig): string | null {
  if (config.payload === undefined) return null;
  const checked = payloadObject.safeParse(config.payload);
  if (checked.success) return null;
  return `its payload ${checked.error.issues[0]?.message ?? 'must be a JSON object'}: it was saved before opsdeck asked for one; remove the schedule and add it again with an object payload`;
}

/**
 * An active schedule whose fire is overdue (what health-check's scheduler check watches): its next fires
 * alone would read as all being well while no worker fires it.
 */
function overdue(schedule: StoredSchedule, active: boolean, now: Date): string | null {
  if (!active || schedule.next_fire_at === null) return null;
  const lateMs = now.getTime() - Date.parse(schedule.next_fire_at);
  if (lateMs <= OVERDUE_AFTER_MS) return null;
  return `overdue: its fire due ${schedule.next_fire_at} (${spanText(lateMs)} ago) has not happened; no running worker fires it (start one whose registry has ${targetText(schedule.config)})`;
}

/** A stored schedule as the console and the CLI show it: active or not, its next three fires, what keeps it from firing. */
export function toScheduleView(schedule: StoredSchedule, registry: RegistryHolder, now: Date): ScheduleView {
  const active = schedule.config.enabled && !schedule.paused;
  const problems = [scheduleProblem(schedule.config, registry), overdue(schedule, active, now)].filter((p) => p !== null);
  return {
    ...schedule,
    active,
    next_fires: active ? nextFires(schedule.config, now, 3).map((d) => d.toISOString()) : [],
    problem: problems.length === 0 ? null : problems.join('; '),
  };
}
