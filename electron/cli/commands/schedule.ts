import { CRON_FORMS_TEXT } from '../../../shared/cronWords.ts';
import { MissedPolicy, targetText } from '../../../shared/schedule.ts';
import { checkSchedule } from '../../../shared/scheduleCheck.ts';
import type { ScheduleChange, ScheduleFire, ScheduleInput, ScheduleView } from '../../../shared/schedule.ts';
import { flag, int, listOnly, positionals, str, UsageError } from '../args.ts';
import { call, withRuntime } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { NO_REGISTRY } from '../noRegistry.ts';
import { displayZoneName, type Io, paint, printJson, statusColor, timesIn, whenIn } from '../output.ts';
import { renderTable } from '../table.ts';
import { heldByTexts } from '../../../shared/heldText.ts';
import { CLI_RESET } from '../../../shared/breakerRecord.ts';

function state(s: ScheduleView): string {
  if (s.paused) return `paused by ${s.paused_by ?? '?'}${s.pause_reason ? ` (${s.pause_reason})` : ''}`;
  return s.config.enabled ? 'active' : 'disabled in its definition';
}

/** A time in the schedule's zone, then in the operator's: `2026-03-29 03:00:00+02:00 (Europe/Berlin) = 2026-03-29 02:00:00+01:00 here`. */
function both(iso: string, zone: string): string {
  const here = displayZoneName();
  const own = `${whenIn(iso, zone)} (${zone})`;
  return here === zone ? own : `${own} = ${whenIn(iso, here)} here`;
}

function outcome(io: Io, fire: ScheduleFire): string {
  const count = fire.count > 1 ? ` x${fire.count}` : '';
  if (fire.status === 'skipped') return paint(io, `skipped${count}: ${fire.reason ?? ''}`, 'yellow');
  return `${fire.trigger === 'manual' ? 'run now' : 'fired'} -> ${made(io, fire)}`;
}

/** What a fire made: its job, or its workflow run (opsdeck workflow show N). */
function made(io: Io, fire: ScheduleFire): string {
  if (fire.run_id !== null) return `run ${fire.run_id}${fire.run_status ? ` ${fire.run_status}` : ' (pruned)'}`;
  if (fire.job_id === null) return 'no job';
  return `job ${fire.job_id}${fire.job_status ? ` ${paint(io, fire.job_status, statusColor(fire.job_status))}` : ' (pruned)'}`;
}

function block(io: Io, s: ScheduleView): string {
  const zone = s.config.timezone;
  const lines = [
    `${paint(io, s.name, 'bold')}  ${s.source}  ${targetText(s.config)}  cron "${s.config.cron}" ${zone}  missed: ${s.config.missed}${s.config.missed === 'catch_up' ? ` (at most ${s.config.max_catch_up})` : ''}`,
    `  state  ${state(s)}`,
  ];
  if (s.problem) lines.push(`  ${paint(io, 'problem', 'red')}  ${timesIn(s.problem)}`);
  s.next_fires.forEach((at, i) => lines.push(`  ${i === 0 ? 'next' : '    '}   ${both(at, zone)}`));
  if (s.next_fires.length === 0) lines.push('  next   - (fires nothing until resumed or enabled)');
  lines.push(`  last   ${s.last_fire ? `${both(s.last_fire.fire_at, zone)}  ${outcome(io, s.last_fire)}` : 'never fired'}`);
  return lines.join('\n');
}

function fireTable(io: Io, fires: ScheduleFire[], zone: string): string {
  return renderTable(
    [{ header: 'fire time', max: 100 }, { header: 'outcome', max: 60 }, { header: 'key', max: 70 }, { header: 'by', max: 40 }],
    fires.map((f) => [both(f.fire_at, zone), outcome(io, f), f.fire_key, f.recorded_by]),
  );
}

function payloadOf(text: string | undefined): ScheduleInput['payload'] {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--payload takes JSON, e.g. '{"args":["--full"]}': ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function add(inv: Invocation): Promise<number> {
  const [, name] = positionals(inv, ['add', 'NAME']);
  const service = str(inv.values, 'service');
  const workflow = str(inv.values, 'workflow');
  const cron = str(inv.values, 'cron');
  if ((service === undefined) === (workflow === undefined) || !cron) {
    throw new UsageError(`schedule add needs --service SERVICE or --workflow WORKFLOW (one of them), and --cron "EXPR" (${CRON_FORMS_TEXT})`);
  }
  const missedText = str(inv.values, 'missed');
  const missed = missedText === undefined ? undefined : MissedPolicy.safeParse(missedText);
  if (missed && !missed.success) throw new UsageError(`--missed takes skip, run_once or catch_up, not "${missedText}"`);
  const input: ScheduleInput = {
    name: name ?? '',
    service,
    workflow,
    cron,
    timezone: str(inv.values, 'timezone'),
    payload: payloadOf(str(inv.values, 'payload')),
    queue: str(inv.values, 'queue'),
    enabled: flag(inv.values, 'disabled') ? false : undefined,
    missed: missed?.data,
    max_catch_up: int(inv.values, 'max-catch-up', 1, 1000),
    description: str(inv.values, 'description'),
  };
  // A schedule is jobs to come: like enqueue, adding one may create the store.
  return withRuntime(inv, async ({ ctx }) => {
    const added = await call(ctx, 'schedules.add', input);
    if (inv.common.json) printJson(inv.io, added);
    else inv.io.out(`schedule ${added.name} added\n${block(inv.io, added)}`);
    // With a registry here an unknown service is refused; without one it could not be looked up.
    if (ctx.registry.loadedAt === null) {
      inv.io.err(`opsdeck: warning: ${NO_REGISTRY}; ${targetText(added.config)} and the payload were not checked against one; a worker whose registry lacks it leaves the schedule unfired`);
    }
    return 0;
  }, { mustExist: false });
}

/**
 * A cron expression and its zone checked as add would check them, without adding anything or opening the
 * store: the problems in add's words, or the next fires in the zone and the operator's. Words after
 * `check` are one expression, so `schedule check 0 9 '*' '*' MON-FRI` reads as it would quoted.
 */
function check(inv: Invocation): number {
  const cron = inv.positionals.slice(1).join(' ');
  if (cron.trim() === '') throw new UsageError(`schedule check needs a cron expression: opsdeck schedule check "30 2 * * *" [--timezone ZONE] (${CRON_FORMS_TEXT})`);
  const result = checkSchedule({ cron, timezone: str(inv.values, 'timezone'), count: int(inv.values, 'count', 1, 50) ?? 5 }, new Date());
  if (inv.common.json) printJson(inv.io, result);
  // Each problem names its field already: "day-of-week 'MON-FRY': …", "'Europe/Berln' is not a time zone: …".
  else if (!result.ok) for (const p of result.problems) inv.io.out(paint(inv.io, p.message, 'red'));
  else if (result.next_fires.length === 0) inv.io.out(`cron "${result.cron}" in ${result.timezone}: never fires again`);
  else {
    inv.io.out(`cron "${result.cron}" in ${result.timezone}: ok; the next ${result.next_fires.length} fires:`);
    for (const at of result.next_fires) inv.io.out(`  ${both(at, result.timezone)}`);
  }
  return result.ok ? 0 : 1;
}

/** What pause and resume print: what changed, or plainly that nothing did, and the schedule after. */
function changeText(io: Io, sub: 'pause' | 'resume', change: ScheduleChange): string {
  const done = sub === 'pause' ? 'paused: it fires nothing until resumed' : change.note === null ? 'resumed from its next fire' : 'is no longer paused';
  const lines = change.changed ? [`schedule ${change.name} ${done}`] : [];
  if (change.note !== null) lines.push(change.note);
  return [...lines, block(io, change)].join('\n');
}

export const schedule: Command = {
  name: 'schedule',
  summary: 'schedules: list (next fires in their zone and yours), show, check a cron, add, remove, pause, resume, run-now',
  usage: 'list | show NAME | check "EXPR" [--timezone ZONE] [--count N] | add NAME (--service S | --workflow W) --cron "EXPR" [--timezone ZONE] ... | remove NAME | pause NAME [--reason TEXT] | resume NAME | run-now NAME',
  details: [
    `Cron: ${CRON_FORMS_TEXT}.`,
    'Times are wall-clock times in --timezone (IANA, default UTC); a time the clock',
    'skips in spring fires when the clock jumps (02:30 -> 03:00), a time it repeats in autumn fires once.',
    'check says what is wrong with a cron expression or its zone, or when it fires next (in its zone and',
    'yours), without adding a schedule: exit 1 on a problem.',
    'Schedules of the registry (schedules:) can be paused and run now, and removed only from the registry.',
    'examples:',
    '  opsdeck schedule check "0 9 * * MON-FRI" --timezone Europe/Berlin',
    '  opsdeck schedule add nightly --service echo_report --cron "30 2 * * *" --timezone Europe/Berlin',
    '  opsdeck schedule add etl_nightly --workflow nightly_etl --cron "@daily" --payload \'{"day":"yesterday"}\'',
    '  opsdeck schedule pause nightly --reason "month-end freeze"',
  ].join('\n'),
  options: {
    service: { type: 'string', value: 'SERVICE', description: 'add: the service each fire enqueues' },
    workflow: { type: 'string', value: 'WORKFLOW', description: 'add: the workflow each fire starts a run of (instead of --service)' },
    cron: { type: 'string', value: 'EXPR', description: 'add: when it fires, e.g. "30 2 * * *", "*/10 * * * * *", @daily' },
    timezone: { type: 'string', value: 'ZONE', description: 'add, check: the IANA zone of the cron times, e.g. Europe/Berlin (default UTC)' },
    count: { type: 'string', value: 'N', description: 'check: how many next fires to show (default 5, at most 50)' },
    payload: { type: 'string', value: 'JSON', description: "add: each job's payload (a workflow's: each run's, an object)" },
    queue: { type: 'string', value: 'QUEUE', description: "add: the jobs' queue (default the service's)" },
    missed: { type: 'string', value: 'POLICY', description: 'add: fires missed while no worker ran: skip (default), run_once or catch_up' },
    'max-catch-up': { type: 'string', value: 'N', description: 'add: catch_up runs at most the last N missed fires (default 10)' },
    disabled: { type: 'boolean', description: 'add: keep it, but fire nothing' },
    description: { type: 'string', value: 'TEXT', description: 'add: what it is for' },
    reason: { type: 'string', value: 'TEXT', description: 'pause: why (shown beside it and in the audit log)' },
    limit: { type: 'string', value: 'N', description: 'show: how many fires of its history (default 20)' },
  },
  async run(inv) {
    const sub = inv.positionals[0] ?? 'list';
    if (sub === 'list') {
      listOnly(inv);
      return withRuntime(inv, async ({ ctx }) => {
        const { schedules } = await call(ctx, 'schedules.list', {});
        const control = await call(ctx, 'control.get', {});
        if (!inv.common.json && control.emergency_stop.engaged) {
          inv.io.err(paint(inv.io, 'emergency stop engaged: schedules fire nothing; their fires are recorded skipped until opsdeck resume', 'red'));
        }
        if (inv.common.json) printJson(inv.io, { schedules });
        else if (schedules.length === 0) inv.io.out('no schedules; add one with opsdeck schedule add NAME --service S --cron "EXPR", or under schedules: in the registry');
        else inv.io.out(schedules.map((s) => block(inv.io, s)).join('\n\n'));
        return 0;
      });
    }
    if (sub === 'show') {
      const [, name = ''] = positionals(inv, ['show', 'NAME']);
      const limit = int(inv.values, 'limit', 1, 500) ?? 20;
      return withRuntime(inv, async ({ ctx }) => {
        const one = await call(ctx, 'schedules.get', { name });
        const { fires } = await call(ctx, 'schedules.fires', { name, limit });
        if (inv.common.json) printJson(inv.io, { schedule: one, fires });
        else inv.io.out(`${block(inv.io, one)}\n\n${fires.length === 0 ? 'no fires yet' : fireTable(inv.io, fires, one.config.timezone)}`);
        return 0;
      });
    }
    if (sub === 'add') return add(inv);
    if (sub === 'check') return check(inv);
    if (sub === 'run-now') {
      const [, name = ''] = positionals(inv, ['run-now', 'NAME']);
      return withRuntime(inv, async ({ ctx }) => {
        const fire = await call(ctx, 'schedules.runNow', { name });
        if (inv.common.json) printJson(inv.io, fire);
        else {
          if (fire.run_id !== null) inv.io.out(`schedule ${name}: run ${fire.run_id} started (${fire.fire_key}); opsdeck workflow show ${fire.run_id}`);
          else inv.io.out(`schedule ${name}: job ${fire.job_id ?? '?'} enqueued (${fire.fire_key})`);
          for (const line of heldByTexts(fire, fire.run_id !== null ? 2 : 1, CLI_RESET)) inv.io.out(line);
        }
        return 0;
      });
    }
    if (sub === 'remove') {
      const [, name = ''] = positionals(inv, [sub, 'NAME']);
      return withRuntime(inv, async ({ ctx }) => {
        const removed = await call(ctx, 'schedules.remove', { name });
        if (inv.common.json) printJson(inv.io, removed);
        else inv.io.out(`schedule ${name} removed`);
        return 0;
      });
    }
    if (sub === 'pause' || sub === 'resume') {
      const [, name = ''] = positionals(inv, [sub, 'NAME']);
      const reason = str(inv.values, 'reason');
      return withRuntime(inv, async ({ ctx }) => {
        const change = sub === 'pause' ? await call(ctx, 'schedules.pause', { name, reason }) : await call(ctx, 'schedules.resume', { name });
        if (inv.common.json) printJson(inv.io, change);
        else inv.io.out(changeText(inv.io, sub, change));
        return 0;
      });
    }
    throw new UsageError(`schedule takes list, show, check, add, remove, pause, resume or run-now, not "${sub}"`);
  },
};
