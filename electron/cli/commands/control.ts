import type { ControlState } from '../../../shared/domain.ts';
import { stopFoundText } from '../../../shared/stopFound.ts';
import type { ControlChanged, EmergencyStopped } from '../../../shared/views.ts';
import type { ApiContext } from '../../api/context.ts';
import { flag, int, positionals, str } from '../args.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { UsageError } from '../args.ts';
import { printJson } from '../output.ts';
import { controlLines } from './status.ts';

const reasonOption = { reason: { type: 'string', value: 'TEXT', description: 'why, for the audit log and the other operators' } } as const;

/**
 * Waits until no job runs or `maxMs` passes, saying every few seconds how many still run: how many are
 * left, or null when safe mode was turned off meanwhile (another operator dispatches again: nothing to stop).
 */
async function drained(ctx: ApiContext, maxMs: number, progress: (running: number) => void): Promise<number | null> {
  const until = Date.now() + maxMs;
  let said = Date.now();
  for (;;) {
    const stats = await call(ctx, 'overview.stats', {});
    if (!stats.control.safe_mode.engaged) return null;
    const running = stats.counts.running ?? 0;
    if (running === 0 || Date.now() >= until) return running;
    if (Date.now() - said >= 5000) {
      progress(running);
      said = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(0, until - Date.now()))));
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
function stopHeadline(stop: EmergencyStopped): string {
  return `emergency stop engaged${stop.stopped ? `: ${stopFoundText(stop.stopped)}` : ''}; release it with: opsdeck resume`;
}

export const emergencyStop: Command = {
  name: 'emergency-stop',
  summary: 'stop dispatch on every worker now and interrupt running jobs (they go back to pending)',
  usage: '[--reason TEXT]',
  options: reasonOption,
  async run(inv) {
    positionals(inv, []);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const stop = await call(ctx, 'control.emergencyStop', { reason: str(inv.values, 'reason') });
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
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => changedOrNot(inv, await call(ctx, 'control.resume', {}), 'emergency stop released'));
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
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const set = await call(ctx, 'control.safeMode', { enabled: mode === 'on', reason: str(inv.values, 'reason') });
      if (drainSeconds === undefined) return changedOrNot(inv, set, `safe mode ${mode}`);
      // Safe mode someone else turned on drains all the same: the drain is what this operator asked for.
      const already = set.changed ? '' : ` already${set.safe_mode.by ? ` (turned on by ${set.safe_mode.by})` : ''}`;
      inv.io.err(`safe mode on${already}: no job starts; waiting up to ${drainSeconds}s for the running ones to finish`);
      const left = await drained(ctx, drainSeconds * 1000, (running) => inv.io.err(`${running} job(s) still running`));
      if (left === null) return show(inv, await call(ctx, 'control.get', {}), 'safe mode was turned off while draining: dispatch goes on, nothing was stopped');
      if (left === 0) return show(inv, await call(ctx, 'control.get', {}), 'drained: no job runs; safe mode stays on (opsdeck safe-mode off dispatches again)');
      const reason = `safe-mode drain: ${left} job(s) still running after ${drainSeconds}s`;
      const stop = await call(ctx, 'control.emergencyStop', { reason });
      return show(inv, stop, `${reason}: ${stop.note ?? stopHeadline(stop)}`);
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
      return withRuntimeRegistryOptional(inv, async ({ ctx }) =>
        changedOrNot(inv, await call(ctx, 'control.pauseQueue', { queue: queue ?? '', paused, reason: str(inv.values, 'reason'), force }), `queue ${queue} ${paused ? 'paused' : 'unpaused'}`),
      );
    },
  };
}

export const pause = pauseCommand('pause', true);
export const unpause = pauseCommand('unpause', false);
