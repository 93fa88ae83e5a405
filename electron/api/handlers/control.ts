import type { StopFound } from '../../../shared/views.ts';
import type { StoppedJobs } from '../../store/controlStore.ts';
import type { ApiContext } from '../context.ts';
import { controlAnswer } from '../controlChange.ts';
import { notFound } from '../errors.ts';
import { knownQueues } from '../knownQueues.ts';
import type { Handlers } from '../handlerTypes.ts';

/**
 * A queue name is free text, so a typo would pause nothing real and report success while the queue meant
 * goes on: a pause must name a queue the registry gives a service or schedule, or one that holds jobs,
 * unless forced (a queue whose work has not arrived yet, another fleet's queue on a shared store).
 * Resuming a queue that is not paused changes nothing and is no error: scripts resume to be sure.
 */
async function checkQueue(ctx: ApiContext, queue: string): Promise<void> {
  const known = await knownQueues(ctx);
  if (!known.includes(queue)) {
    throw notFound(
      `no queue named ${queue}: no service, schedule or job uses it (known: ${known.join(', ') || 'none'}); pausing with ${ctx.words.input('control.pauseQueue', 'force', true)} pauses it all the same`,
    );
  }
}

/**
 * What the stop found, with the running jobs whose service (in the registry loaded here) says
 * on_interrupt: fail counted apart: those go to the dead-letter queue, the rest back to pending. A service
 * the registry here does not name is counted apart too: the stop may be engaged from a shell with no
 * registry, and what becomes of its jobs is the workers' registry's to say, not a guess of this one's.
 */
export function stopFound(ctx: ApiContext, stopped: StoppedJobs): StopFound {
  const counts = Object.entries(stopped.runningByService);
  const unknown = counts.filter(([service]) => ctx.registry.service(service) === undefined);
  const failing = counts.filter(([service]) => ctx.registry.service(service)?.on_interrupt === 'fail');
  const sum = (list: Array<[string, number]>) => list.reduce((total, [, n]) => total + n, 0);
  return { running: sum(counts), running_fail_on_interrupt: sum(failing), running_unknown_service: sum(unknown), pending: stopped.pending };
}

/**
 * Each change is audited by the store, in the transaction that makes it; one asking for what is already so
 * changes nothing, and the answer says so. An emergency stop engaged again keeps who engaged it, when and
 * why: that is when dispatch stopped, and what the banner and the audit log say of it.
 */
export const control: Handlers<'control.get' | 'control.emergencyStop' | 'control.resume' | 'control.safeMode' | 'control.pauseQueue'> = {
  'control.get': async (_input, ctx) => ctx.store.getControl(),
  'control.emergencyStop': async (input, ctx) => {
    const change = await ctx.store.setEmergencyStop(true, ctx.actor, input.reason ?? null);
    return { ...controlAnswer({ kind: 'emergency_stop', engaged: true }, change), stopped: change.stopped && stopFound(ctx, change.stopped) };
  },
  'control.resume': async (_input, ctx) => controlAnswer({ kind: 'emergency_stop', engaged: false }, await ctx.store.setEmergencyStop(false, ctx.actor, null)),
  'control.safeMode': async (input, ctx) =>
    controlAnswer({ kind: 'safe_mode', engaged: input.enabled }, await ctx.store.setSafeMode(input.enabled, ctx.actor, input.reason ?? null, input.drain)),
  'control.pauseQueue': async (input, ctx) => {
    if (input.paused && !input.force) await checkQueue(ctx, input.queue);
    const change = await ctx.store.setQueuePaused(input.queue, input.paused, ctx.actor, input.reason ?? null);
    return controlAnswer({ kind: 'queue', queue: input.queue, paused: input.paused }, change);
  },
};
