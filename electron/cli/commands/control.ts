import type { ControlState } from '../../../shared/domain.ts';
import { stopFoundText } from '../../../shared/stopFound.ts';
import type { ControlChanged, EmergencyStopped } from '../../../shared/views.ts';
import type { ApiContext } from '../../api/context.ts';
import { flag, int, positionals, str } from '../args.ts';
import { call, CallRefused, withRuntimeRegistryOptional } from '../call.ts';
import { CliFailure, type Command, type Invocation } from '../command.ts';
import { UsageError } from '../args.ts';
import { printJson, when } from '../output.ts';
import { drainStopReason } from '../../store/drain.ts';
import { countText } from '../../../shared/countText.ts';
import { secondsText } from '../../../shared/durationText.ts';
import { stopFound } from '../../api/handlers/control.ts';
import { controlLines } from './status.ts';
import { controlNotTakenText, type ControlAsked, type StoreRefusal } from '../../../shared/controlNotTaken.ts';
import { isStoreUnavailable, StoreError } from '../../store/errors.ts';
import { sameCommand } from '../sameCommand.ts';

const reasonOption = { reason: { type: 'string', value: 'TEXT', description: 'why, for the audit log and the other operators' } } as const;

/** How a drain this command waited on ended, for its last line. */
type DrainOutcome = { kind: 'overruled' } | { kind: 'drained' } | { kind: 'stopped'; headline: string } | { kind: 'ended'; state: ControlState };

/**
 * Waits on the drain the store keeps, saying every few seconds how many jobs still run, until none does,
 * safe mode goes off (another operator dispatches again: nothing to stop), or the deadline passes. Then it
 * ends the drain itself, as every worker would (the first there engages the stop): leaving this wait
 * early changes nothing of it.
 */
async function drained(ctx: ApiContext, progress: (running: number, until: string) => void): Promise<DrainOutcome> {
  let said = Date.now();
  for (;;) {
    const stats = await call(ctx, 'overview.stats', {});
    const { control } = stats;
    if (!control.safe_mode.engaged) return { kind: 'overruled' };
    const drain = control.drain;
    // Ended by a worker (or another operator's drain run out): what it did is in the state it left.
    if (drain === undefined) return { kind: 'ended', state: control };
    const running = stats.counts.running ?? 0;
    if (running === 0) return { kind: 'drained' };
    if (Date.parse(drain.until) <= Date.now()) {
      const ended = await ctx.store.endDrain();
      if (ended?.stopped) return { kind: 'stopped', headline: `${drainStopReason(ended.running, ended.drain.seconds)}: ${stopHeadline({ stopped: stopFound(ctx, ended.stopped) })}` };
    } else if (Date.now() - said >= 5000) {
      progress(running, drain.until);
      said = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(50, Date.parse(drain.until) - Date.now()))));
  }
}

function show(inv: Invocation, state: ControlState, headline: string): number {
  if (inv.common.json) printJson(inv.io, state);
  else {
    inv.io.out(headline);
    for (const line of controlLines(inv.io, state)) inv.io.out(line);
  }
  return 0;
}

/** What the call did, or, when it was already so, the API's words for that: exit 0 either way. */
function changedOrNot(inv: Invocation, result: ControlChanged, done: string): number {
  return show(inv, result, result.note ?? done);
}

/** What the stop interrupted and held, what becomes of those jobs, and how to release it. */
function stopHeadline(stop: Pick<EmergencyStopped, 'stopped'>): string {
  return `emergency stop engaged${stop.stopped ? `: ${stopFoundText(stop.stopped)}` : ''}; release it with: opsdeck resume`;
}

/** A store that could not be opened or did not take the call, as controlNotTakenText says it; null for any other failure. */
function storeRefusal(error: unknown): StoreRefusal | null {
  if (error instanceof StoreError && isStoreUnavailable(error)) return { problem: error.message, lasting: !error.transient };
  if (error instanceof CallRefused && error.error.code === 'unavailable') return { problem: error.error.message, lasting: error.error.action !== undefined };
  return null;
}

/**
 * A control command on its store: one that fails because the store does not answer, before the change was
 * taken (`run` calls `taken` once the store took it), says the change was NOT made and to run the same command again once
 * the store answers, rather than only the store's error, which read as if the stop might have held.
 */
async function controlCommand(inv: Invocation, command: string, asked: ControlAsked, run: (ctx: ApiContext, taken: () => void) => Promise<number>): Promise<number> {
  let isTaken = false;
  try {
    return await withRuntimeRegistryOptional(inv, ({ ctx }) =>
      run(ctx, () => {
        isTaken = true;
      }),
    );
  } catch (error) {
    const refusal = isTaken ? null : storeRefusal(error);
    if (refusal === null) throw error;
    throw new CliFailure(controlNotTakenText(asked, refusal, `run ${sameCommand(inv, command, {})} again`));
  }
}

export const emergencyStop: Command = {
  name: 'emergency-stop',
  summary: 'stop dispatch on every worker now and interrupt running jobs (they go back to pending)',
  usage: '[--reason TEXT]',
  options: reasonOption,
  async run(inv) {
    positionals(inv, []);
    return controlCommand(inv, 'emergency-stop', { kind: 'emergency_stop', engage: true }, async (ctx, taken) => {
      const stop = await call(ctx, 'control.emergencyStop', { reason: str(inv.values, 'reason') });
      taken();
      return changedOrNot(inv, stop, stopHeadline(stop));
    });
  },
};

export const resume: Command = {
  name: 'resume',
  summary: 'release the emergency stop',
  usage: '',
  options: {},
  async run(inv) {
    positionals(inv, []);
    return controlCommand(inv, 'resume', { kind: 'emergency_stop', engage: false }, async (ctx, taken) => {
      const resumed = await call(ctx, 'control.resume', {});
      taken();
      return changedOrNot(inv, resumed, 'emergency stop released');
    });
  },
};

export const safeMode: Command = {
  name: 'safe-mode',
  summary: 'stop dispatch and let running jobs finish (on), or dispatch again (off)',
  usage: 'on|off [--reason TEXT] [--drain SECONDS]   (also: --enable | --disable, as the runbooks write it)',
  details: [
    'on --drain 300 is the graceful shutdown of the runbooks: stop starting jobs, wait up to 300 s for the',
    'running ones to finish, then engage the emergency stop, which interrupts whatever still runs.',
  ].join('\n'),
  options: {
    ...reasonOption,
    enable: { type: 'boolean', description: 'the same as on' },
    disable: { type: 'boolean', description: 'the same as off' },
    drain: { type: 'string', value: 'SECONDS', description: 'with on: wait for running jobs to finish, then stop the rest' },
  },
  async run(inv) {
    const byFlag = flag(inv.values, 'enable') ? 'on' : flag(inv.values, 'disable') ? 'off' : null;
    if (flag(inv.values, 'enable') && flag(inv.values, 'disable')) throw new UsageError('--enable and --disable contradict each other');
    const [mode] = byFlag !== null && inv.positionals.length === 0 ? [byFlag] : positionals(inv, ['on|off']);
    if (byFlag !== null && mode !== byFlag) throw new UsageError(`safe-mode ${mode} contradicts --${byFlag === 'on' ? 'enable' : 'disable'}`);
    if (mode !== 'on' && mode !== 'off') throw new UsageError(`safe-mode takes on or off (or --enable / --disable), not "${mode}"`);
    const drainSeconds = int(inv.values, 'drain', 1, 86_400);
    if (drainSeconds !== undefined && mode !== 'on') throw new UsageError('--drain goes with safe-mode on');
    return controlCommand(inv, 'safe-mode', { kind: 'safe_mode', engage: mode === 'on' }, async (ctx, taken) => {
      const set = await call(ctx, 'control.safeMode', { enabled: mode === 'on', reason: str(inv.values, 'reason'), drain: drainSeconds });
      // Taken from here: a store lost while the drain is watched is that wait's failure, not the change's.
      taken();
      if (drainSeconds === undefined || set.drain === undefined) return changedOrNot(inv, set, `safe mode ${mode}`);
      // Safe mode someone else turned on drains all the same: the drain is what this operator asked for.
      const already = set.safe_mode.at !== set.drain.at ? ` already${set.safe_mode.by ? ` (turned on by ${set.safe_mode.by})` : ''}` : '';
      inv.io.err(
        `safe mode on${already}: no job starts; the running ones have until ${when(set.drain.until)} (${secondsText(drainSeconds)}) to finish, then the emergency stop interrupts the rest. ` +
          'The store keeps the deadline: leaving this wait (Ctrl-C) changes nothing of it, every worker keeps it',
      );
      const outcome = await drained(ctx, (running, until) => inv.io.err(`${countText(running)} job(s) still running; the emergency stop comes at ${when(until)}`));
      switch (outcome.kind) {
        case 'overruled':
          return show(inv, await call(ctx, 'control.get', {}), 'safe mode was turned off while draining: dispatch goes on, nothing was stopped');
        case 'drained':
          return show(inv, await call(ctx, 'control.get', {}), 'drained: no job runs; safe mode stays on (opsdeck safe-mode off dispatches again)');
        case 'stopped':
          return show(inv, await call(ctx, 'control.get', {}), outcome.headline);
        case 'ended': {
          const stop = outcome.state.emergency_stop;
          if (!stop.engaged) return show(inv, outcome.state, 'drained: no job runs; safe mode stays on (opsdeck safe-mode off dispatches again)');
          return show(inv, outcome.state, `${stop.reason ?? 'the drain ran out'}: emergency stop engaged by ${stop.by ?? 'a worker'}; release it with: opsdeck resume`);
        }
      }
    });
  },
};

function pauseCommand(name: string, paused: boolean): Command {
  return {
    name,
    summary: paused ? 'stop dispatching the jobs of one queue' : 'dispatch a paused queue again',
    usage: paused ? 'QUEUE [--reason TEXT] [--force]' : 'QUEUE [--reason TEXT]',
    options: paused ? { ...reasonOption, force: { type: 'boolean', description: 'pause a queue no service, schedule or job uses yet' } } : reasonOption,
    async run(inv) {
      const [queue] = positionals(inv, ['QUEUE']);
      const force = paused && flag(inv.values, 'force');
      return controlCommand(inv, name, { kind: 'queue', queue: queue ?? '', pause: paused }, async (ctx, taken) => {
        const changed = await call(ctx, 'control.pauseQueue', { queue: queue ?? '', paused, reason: str(inv.values, 'reason'), force });
        taken();
        return changedOrNot(inv, changed, `queue ${queue} ${paused ? 'paused' : 'unpaused'}`);
      });
    },
  };
}

export const pause = pauseCommand('pause', true);
export const unpause = pauseCommand('unpause', false);
