import { closest } from '../../../shared/closestWord.ts';
import { targetOf, targetText, type ScheduleConfig } from '../../../shared/schedule.ts';
import { checkSchedule } from '../../../shared/scheduleCheck.ts';
import { nextFire } from '../../../shared/scheduleMath.ts';
import { fireMaker, missingTarget, payloadProblem, runNowWork, scheduleWrite } from '../../engine/schedulePlans.ts';
import type { ApiContext } from '../context.ts';
import { ApiFailure, conflict, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { heldBy } from '../heldBy.ts';
import { pauseNote, resumeNote } from '../scheduleChange.ts';
import { toScheduleView } from '../scheduleView.ts';

function noSchedule(ctx: ApiContext, name: string) {
  return notFound(`no schedule named ${name} (${ctx.words.call('schedules.list')} shows them)`);
}

async function stored(ctx: ApiContext, name: string) {
  const schedule = await ctx.store.getSchedule(name);
  if (!schedule) throw noSchedule(ctx, name);
  return schedule;
}

/**
 * The registry's names of what the schedule's kind of target could be, for a message, after the one a
 * typo likely meant (a workflow whose task lacks its service is no typo: it is not named again).
 */
function knownTargets(ctx: ApiContext, config: ScheduleConfig): string {
  const target = targetOf(config);
  const names = target.kind === 'workflow' ? (ctx.registry.registry.workflows ?? []).map((w) => w.name) : ctx.registry.registry.services.map((s) => s.name);
  const meant = closest(target.name, names);
  return `${meant !== null && meant !== target.name ? `did you mean ${meant}? ` : ''}known: ${names.length > 0 ? names.join(', ') : 'none'}`;
}

/**
 * Schedules from the registry and those operators add live side by side in the store. An operator may
 * pause, resume and run-now any of them, and remove only those added by hand: a registry schedule is the
 * registry file's, and would come back with its next load.
 */
export const schedules: Handlers<
  'schedules.list' | 'schedules.get' | 'schedules.fires' | 'schedules.add' | 'schedules.check' | 'schedules.remove' | 'schedules.pause' | 'schedules.resume' | 'schedules.runNow'
> = {
  'schedules.list': async (_input, ctx) => {
    const now = new Date();
    const list = await ctx.store.listSchedules();
    return { schedules: list.map((s) => toScheduleView(s, ctx.registry, now)), now: now.toISOString() };
  },

  'schedules.get': async (input, ctx) => toScheduleView(await stored(ctx, input.name), ctx.registry, new Date()),

  'schedules.fires': async (input, ctx) => {
    await stored(ctx, input.name);
    const page = await ctx.store.listScheduleFires(input.name, { limit: input.limit, after: input.cursor ?? null });
    return { fires: page.items, next_cursor: page.next_cursor };
  },

  'schedules.add': async (input, ctx) => {
    const missing = ctx.registry.loadedAt === null ? null : missingTarget(input, ctx.registry.registry);
    if (missing !== null) throw new ApiFailure('not_found', `${missing} (${knownTargets(ctx, input)})`);
    const refused = ctx.registry.loadedAt === null ? null : payloadProblem(input, ctx.registry.registry);
    if (refused !== null) throw new ApiFailure('invalid_input', `every fire would be refused: ${refused}`, [{ path: 'payload', message: refused }]);
    const now = new Date();
    const added = await ctx.store.addSchedule(scheduleWrite(input, now), ctx.actor);
    if (!added) throw conflict(`a schedule named ${input.name} exists; remove it first or pick another name`);
    return toScheduleView(added, ctx.registry, now);
  },

  'schedules.check': async (input) => checkSchedule(input, new Date()),

  'schedules.remove': async (input, ctx) => {
    const schedule = await stored(ctx, input.name);
    if (schedule.source === 'registry') {
      throw conflict(`schedule ${input.name} comes from the registry: remove it from the registry file, or pause it (${ctx.words.call('schedules.pause', { name: input.name })})`);
    }
    const removed = await ctx.store.removeSchedule(input.name, ctx.actor);
    if (!removed) throw notFound(`no schedule named ${input.name}`);
    return toScheduleView(removed, ctx.registry, new Date());
  },

  // The store leaves a schedule already as asked unchanged and unaudited, and `changed` is its word, taken
  // under its lock: of two operators pausing at once, one is told nothing changed, as the audit log says.
  'schedules.pause': async (input, ctx) => {
    const paused = await ctx.store.setSchedulePaused(input.name, true, null, ctx.actor, input.reason ?? null);
    if (!paused) throw noSchedule(ctx, input.name);
    return { ...toScheduleView(paused.schedule, ctx.registry, new Date()), changed: paused.changed, note: pauseNote(paused) };
  },

  'schedules.resume': async (input, ctx) => {
    const before = await stored(ctx, input.name);
    const now = new Date();
    const next = nextFire(before.config, now)?.toISOString() ?? null;
    const resumed = await ctx.store.setSchedulePaused(input.name, false, next, ctx.actor, null);
    if (!resumed) throw noSchedule(ctx, input.name);
    return { ...toScheduleView(resumed.schedule, ctx.registry, now), changed: resumed.changed, note: resumeNote(resumed) };
  },

  'schedules.runNow': async (input, ctx) => {
    const schedule = await stored(ctx, input.name);
    const make = fireMaker(schedule.config, ctx.registry.registry);
    if (!make) {
      const why = missingTarget(schedule.config, ctx.registry.registry) ?? `${targetText(schedule.config)} is not in the registry`;
      throw conflict(`schedule ${input.name}: ${why} loaded here (${knownTargets(ctx, schedule.config)}): load the registry that has it to run it now`);
    }
    const work = runNowWork(schedule.config, make, new Date());
    const fire = await ctx.store.runScheduleNow(input.name, work, ctx.actor);
    if (!fire) throw notFound(`no schedule named ${input.name}`);
    if (fire.status !== 'fired') return fire;
    return { ...fire, ...(await heldBy(ctx, 'job' in work ? [work.job] : work.run.tasks.map((task) => task.job))) };
  },
};
