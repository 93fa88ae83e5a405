import type { ScheduleConfig, ScheduleView, StoredSchedule } from '../../shared/schedule.ts';
import { nextFires } from '../../shared/scheduleMath.ts';
import type { RegistryHolder } from '../config/holder.ts';
import { missingTarget } from '../engine/schedulePlans.ts';

/** What keeps a schedule from firing, as this host sees it; null when nothing does. */
export function scheduleProblem(config: ScheduleConfig, registry: RegistryHolder): string | null {
  if (registry.loadedAt === null) return null;
  const missing = missingTarget(config, registry.registry);
  return missing === null ? null : `${missing} loaded here: workers whose registry lacks it leave the schedule alone`;
}

/** A stored schedule as the console and the CLI show it: active or not, and its next three fires. */
export function toScheduleView(schedule: StoredSchedule, registry: RegistryHolder, now: Date): ScheduleView {
  const active = schedule.config.enabled && !schedule.paused;
  return {
    ...schedule,
    active,
    next_fires: active ? nextFires(schedule.config, now, 3).map((d) => d.toISOString()) : [],
    problem: scheduleProblem(schedule.config, registry),
  };
}
