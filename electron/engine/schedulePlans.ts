import type { Registry, ServiceConfig } from '../../shared/registry.ts';
import { effectiveRetry } from '../../shared/registry.ts';
import type { ScheduleConfig, StoredSchedule } from '../../shared/schedule.ts';
import { targetOf } from '../../shared/schedule.ts';
import { fireKey, nextFire, planDue, runNowKey } from '../../shared/scheduleMath.ts';
import type { FirePlan, NewJob, ScheduleWrite } from '../store/store.ts';

/** From a schedule and the registry to what the store writes: no I/O here, so it is tested on its own. */

/** What decides when a schedule fires; a change of it starts the schedule afresh from now. */
export function timingOf(config: ScheduleConfig): string {
  return JSON.stringify([config.cron, config.timezone, config.enabled]);
}

export function scheduleWrite(config: ScheduleConfig, now: Date): ScheduleWrite {
  return { config, timing: timingOf(config), next_fire_at: nextFire(config, now)?.toISOString() ?? null };
}

/** The registry's schedules as the store keeps them, each starting from the first fire after `now`. */
export function registryScheduleWrites(registry: Registry, now: Date): ScheduleWrite[] {
  return (registry.schedules ?? []).map((config) => scheduleWrite(config, now));
}

/**
 * The job a fire enqueues: the service lends its type, queue, priority and attempts, as an operator's
 * enqueue does; the schedule's own queue, when it names one, wins.
 */
export function scheduleJob(config: ScheduleConfig, service: ServiceConfig, identifier: string): NewJob & { identifier: string } {
  return {
    identifier,
    queue: config.queue ?? service.queue,
    service_name: service.name,
    execution_type: service.execution_type,
    payload: config.payload ?? null,
    priority: service.priority,
    max_attempts: effectiveRetry(service).max_retries + 1,
  };
}

/** The job of an operator's run-now. */
export function runNowJob(config: ScheduleConfig, service: ServiceConfig, at: Date): NewJob & { identifier: string } {
  return scheduleJob(config, service, runNowKey(config.name, at));
}

/** The service a schedule enqueues, when this registry has it. */
export function serviceOf(config: ScheduleConfig, lookup: (name: string) => ServiceConfig | undefined): ServiceConfig | undefined {
  const target = targetOf(config);
  return target.kind === 'service' ? lookup(target.name) : undefined;
}

/** What a tick at `now` asks the store to do for one due schedule (its next fire is at or before now). */
export function firePlan(schedule: StoredSchedule, service: ServiceConfig, now: Date, by: string): FirePlan | null {
  if (schedule.next_fire_at === null) return null;
  const { config } = schedule;
  const due = planDue(config, new Date(schedule.next_fire_at), now);
  return {
    name: schedule.name,
    cursor: schedule.next_fire_at,
    next: due.next?.toISOString() ?? null,
    fires: due.fire.map((at) => ({ fire_at: at.toISOString(), job: scheduleJob(config, service, fireKey(config.name, at)) })),
    skipped: due.skipped
      ? [{ fire_at: due.skipped.last.toISOString(), fire_key: fireKey(config.name, due.skipped.last), count: due.skipped.count, reason: 'missed' }]
      : [],
    by,
  };
}
