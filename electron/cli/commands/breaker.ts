import type { BreakerView } from '../../../shared/contract.ts';
import { positionals, str, UsageError } from '../args.ts';
import { call, withRuntime } from '../call.ts';
import type { Command } from '../command.ts';
import { paint, printJson, when, type Io } from '../output.ts';
import { statusColor } from '../output.ts';
import { renderTable } from '../table.ts';

const MODES = { open: 'force_open', close: 'force_closed', auto: 'auto', reset: 'reset' } as const;

function isAction(value: string): value is keyof typeof MODES {
  return Object.hasOwn(MODES, value);
}

function breakerTable(io: Io, breakers: BreakerView[]): string {
  return renderTable(
    [{ header: 'service' }, { header: 'state' }, { header: 'mode' }, { header: 'failures', align: 'right' }, { header: 'waiting', align: 'right' },
      { header: 'half-open in' }, { header: 'set by' }, { header: 'reason / last error', max: 60 }],
    breakers.map((b) => [
      b.service_name,
      paint(io, b.state, statusColor(b.state)),
      b.mode,
      `${b.failures_in_window}/${b.failure_threshold} (${b.calls_in_window} calls)`,
      String(b.waiting_jobs),
      b.half_open_in_s === null ? '' : `${b.half_open_in_s}s`,
      b.mode_set_by ? `${b.mode_set_by} ${when(b.mode_set_at)}` : '',
      b.mode_reason ?? b.last_error ?? '',
    ]),
  );
}

export const breaker: Command = {
  name: 'breaker',
  summary: 'circuit breakers: list, force open or closed, back to auto, reset',
  usage: 'list | open|close|auto|reset SERVICE [--reason TEXT]',
  details: [
    'open   no job of the service is dispatched; its jobs wait, they do not fail',
    'close  failures do not trip it',
    'auto   the breaker decides again',
    'reset  back to auto and closed, counters cleared',
  ].join('\n'),
  options: { reason: { type: 'string', value: 'TEXT', description: 'why, for the audit log' } },
  async run(inv) {
    const action = inv.positionals[0] ?? 'list';
    if (action === 'list') {
      positionals(inv, ['list']);
      return withRuntime(inv, async ({ ctx }) => {
        const { breakers } = await call(ctx, 'breakers.list', {});
        if (inv.common.json) printJson(inv.io, { breakers });
        else inv.io.out(breakers.length === 0 ? 'no breakers (load a registry with --registry)' : breakerTable(inv.io, breakers));
        return 0;
      });
    }
    if (!isAction(action)) throw new UsageError(`breaker takes list, open, close, auto or reset, not "${action}"`);
    const [, service] = positionals(inv, [action, 'SERVICE']);
    return withRuntime(inv, async ({ ctx }) => {
      const view = await call(ctx, 'breakers.setMode', { service: service ?? '', mode: MODES[action], reason: str(inv.values, 'reason') });
      if (inv.common.json) printJson(inv.io, view);
      else inv.io.out(`breaker ${view.service_name}: ${view.state}, mode ${view.mode}`);
      return 0;
    });
  },
};
