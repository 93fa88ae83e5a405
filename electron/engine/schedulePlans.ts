import { JsonObject } from '../../shared/domain.ts';
import type { Registry, ServiceConfig } from '../../shared/registry.ts';
import { effectiveRetry } from '../../shared/registry.ts';
import type { ScheduleConfig, StoredSchedule } from '../../shared/schedule.ts';
import { targetOf } from '../../shared/schedule.ts';
import { fireKey, nextFire, planDue, runNowKey } from '../../shared/scheduleMath.ts';
import type { FirePlan, FireWork, NewJob, ScheduleWrite } from '../store/store.ts';
import { payloadArgs } from '../runners/payloadArgs.ts';
import { workflowRunOf, WorkflowStartError } from './workflowStart.ts';

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

/** What one fire of a schedule makes, from its key: a job, or a workflow run whose identifier is the key. */
export type FireMaker = (identifier: string) => FireWork;

/**
 * How this registry makes a schedule's fires; null when it lacks the schedule's service, its workflow or
 * a service of one of that workflow's tasks (a worker with another registry fires it instead). A workflow
 * run's payload is the schedule's (the schema keeps it an object).
 */
export function fireMaker(config: ScheduleConfig, registry: Registry): FireMaker | null {
  const target = targetOf(config);
  const services = new Map(registry.services.map((s) => [s.name, s]));
  if (target.kind === 'service') {
    const service = services.get(target.name);
    return service ? (identifier) => ({ job: scheduleJob(config, service, identifier) }) : null;
  }
  const workflow = registry.workflows?.find((w) => w.name === target.name);
  if (!workflow || !workflow.tasks.every((task) => services.has(task.service))) return null;
  const payload = JsonObject.safeParse(config.payload ?? {});
  if (!payload.success) return null;
  return (identifier) => ({ run: workflowRunOf(registry, target.name, payload.data, identifier) });
}

/** Why this registry cannot make a schedule's fires; null when it can. */
export function missingTarget(config: ScheduleConfig, registry: Registry): string | null {
  if (fireMaker(config, registry)) return null;
  const target = targetOf(config);
  if (target.kind === 'service') return `service ${target.name} is not in the registry`;
  const workflow = registry.workflows?.find((w) => w.name === target.name);
  if (!workflow) return `workflow ${target.name} is not in the registry`;
  return `a task of workflow ${target.name} names a service that is not in the registry`;
}

/**
 * Why every fire of a schedule would be refused for its payload, or null: args for a service that takes
 * none (payload_args), or a workflow run's payload that one of its tasks would refuse.
 */
export function payloadProblem(config: ScheduleConfig, registry: Registry): string | null {
  const target = targetOf(config);
  if (target.kind === 'service') {
    const service = registry.services.find((s) => s.name === target.name);
    if (!service || (service.execution_type !== 'shell' && service.execution_type !== 'docker')) return null;
    const appended = payloadArgs(service, config.payload);
    return 'problem' in appended ? appended.problem : null;
  }
  const payload = JsonObject.safeParse(config.payload ?? {});
  if (!payload.success) return null;
  try {
    workflowRunOf(registry, target.name, payload.data, `${config.name}/check`);
    return null;
  } catch (error) {
    if (error instanceof WorkflowStartError) return error.message;
    throw error;
  }
}

/** The work of an operator's run-now. */
export function runNowWork(config: ScheduleConfig, make: FireMaker, at: Date): FireWork {
  return make(runNowKey(config.name, at));
}

/** What a tick at `now` asks the store to do for one due schedule (its next fire is at or before now). */
export function firePlan(schedule: StoredSchedule, make: FireMaker, now: Date, by: string): FirePlan | null {
  if (schedule.next_fire_at === null) return null;
  const { config } = schedule;
  const due = planDue(config, new Date(schedule.next_fire_at), now);
  return {
    name: schedule.name,
    cursor: schedule.next_fire_at,
    next: due.next?.toISOString() ?? null,
    fires: due.fire.map((at) => ({ fire_at: at.toISOString(), ...make(fireKey(config.name, at)) })),
    skipped: due.skipped
      ? [{ fire_at: due.skipped.last.toISOString(), fire_key: fireKey(config.name, due.skipped.last), count: due.skipped.count, reason: 'missed' }]
      : [],
    by,
  };
}
