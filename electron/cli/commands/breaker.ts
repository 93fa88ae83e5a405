import type { BreakerView } from '../../../shared/contract.ts';
import type { BreakerOverrides } from '../../../shared/registry.ts';
import { formatPeriod } from '../../../shared/rateLimit.ts';
import { closest } from '../../../shared/closestWord.ts';
import { flag, positionals, str, UsageError, type Values } from '../args.ts';
import { effectiveState, forcedBy } from '../../../shared/breakerRecord.ts';
import { countOf, countText } from '../../../shared/countText.ts';
import { nextProbeText, openBreaker } from '../../../shared/openBreaker.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import { CliFailure, type Command, type Invocation } from '../command.ts';
import { NO_REGISTRY, sayNoRegistry } from '../noRegistry.ts';
import { duration, paint, printJson, timesIn, when, type Io } from '../output.ts';
import { statusColor } from '../output.ts';
import { renderTable, type TableFit } from '../table.ts';
import { tableFit, WIDE_OPTION } from '../tableFit.ts';

const MODES = { open: 'force_open', close: 'force_closed', auto: 'auto', reset: 'reset' } as const;

function isAction(value: string): value is keyof typeof MODES {
  return Object.hasOwn(MODES, value);
}

/** The tunable settings counted in seconds: shown with their unit, as the registry's are beside them. */
const IN_SECONDS = new Set(['recovery_timeout', 'window', 'probe_timeout']);

/** What an operator tuned, beside what the registry says, in one unit: `recovery_timeout 120s (registry 60s)`. */
function tunedText(b: BreakerView): string {
  if (!b.tuning) return '';
  const r = b.registry_settings;
  const parts = Object.entries(b.tuning.settings).map(([key, value]) => {
    const registry = key === 'failure_threshold' ? r.failure_threshold : key === 'recovery_timeout' ? `${r.recovery_timeout_s}s` : key === 'minimum_volume' ? r.minimum_volume : null;
    return `${key} ${String(value)}${IN_SECONDS.has(key) ? 's' : ''}${registry === null ? '' : ` (registry ${registry})`}`;
  });
  return `${parts.join(', ')} by ${b.tuning.set_by}`;
}

/** The rate limit in use beside the breaker: `7/10 per 1s, 2/2 running`, or the upstream's pause. */
function rateText(b: BreakerView): string {
  const r = b.rate;
  if (!r) return '';
  const parts: string[] = [];
  if (r.limit !== null && r.per_ms !== null) parts.push(`${r.used}/${r.limit} per ${formatPeriod(r.per_ms)}`);
  if (r.max_concurrent !== null) parts.push(`${r.running}/${r.max_concurrent} running`);
  if (r.paused_until !== null) parts.push(`paused until ${when(r.paused_until)}`);
  if (r.tuning) parts.push(`tuned by ${r.tuning.set_by}`);
  return parts.join(', ');
}

/** What dispatch obeys first, then how: `open, forced (auto: closed)` or `half_open`. */
function stateText(b: Pick<BreakerView, 'mode' | 'state'>): string {
  return b.mode === 'auto' ? b.state : `${effectiveState(b)}, ${b.mode === 'force_open' ? 'forced open' : 'forced closed'} (auto: ${b.state})`;
}

function breakerTable(io: Io, breakers: BreakerView[], fit: TableFit): string {
  return renderTable(
    [{ header: 'service' }, { header: 'state' }, { header: 'mode' }, { header: 'failures / open since' }, { header: 'rate limit' }, { header: 'pending', align: 'right' },
      { header: 'next probe' }, { header: 'set by' }, { header: 'tuned', max: 60 }, { header: 'reason / last error', max: 60, cut: 'middle' }],
    breakers.map((b) => {
      const forced = forcedBy(b);
      // Opening empties the window: its "0/3 (0 calls)" would read as nothing having failed.
      const open = openBreaker(b);
      return [
        b.service_name,
        paint(io, effectiveState(b), statusColor(effectiveState(b))),
        b.mode === 'auto' ? 'auto' : `${b.mode} (auto: ${b.state})`,
        open ? `${open.forced ? 'forced open' : 'opened'} ${when(open.since)}` : `${b.failures_in_window}/${b.failure_threshold} (${countOf(b.calls_in_window, 'call')})`,
        rateText(b),
        countText(b.waiting_jobs),
        open ? nextProbeText(open, duration) : '',
        forced?.by ? `${forced.by} ${when(forced.at)}` : '',
        tunedText(b),
        forced?.reason ?? b.last_error ?? '',
      ];
    }),
    fit,
  );
}

/** What a breaker `--all` left alone already is: neither changed nor audited. */
const ALREADY: Record<keyof typeof MODES, string> = {
  open: 'already forced open',
  close: 'already forced closed',
  auto: 'already in auto',
  reset: 'already closed with nothing to clear',
};

/** Who forced a breaker's mode asked again, which stands: ` (by alice 2026-12-07 16:33:02+01:00: vendor outage)`. */
function alreadyBy(view: BreakerView): string {
  const forced = forcedBy(view);
  if (!forced?.by) return '';
  return ` (by ${forced.by}${forced.at ? ` ${when(forced.at)}` : ''}${forced.reason ? `: ${forced.reason}` : ''})`;
}

/** What `--all` did: each breaker it changed with its state now, and how many it left alone, already as asked. */
function setAllText(action: keyof typeof MODES, views: BreakerView[], changed: readonly string[]): string {
  const touched = new Set(changed);
  const done = views.filter((v) => touched.has(v.service_name)).map((v) => `${v.service_name} ${stateText(v)}`);
  const left = views.length - done.length;
  if (left === 0) return `${action}: ${done.join(', ')}`;
  if (done.length === 0) return `${action}: nothing changed, every breaker (${left}) ${ALREADY[action]}`;
  return `${action}: ${done.join(', ')}; ${left} ${ALREADY[action]}`;
}

/** The tunable settings as options: --failure-threshold 10 → failure_threshold: 10. */
const TUNABLE = {
  'failure-threshold': { key: 'failure_threshold', whole: true, description: 'failures in the window that open it' },
  'recovery-timeout': { key: 'recovery_timeout', whole: false, description: 'seconds an open breaker waits before probing' },
  'reset-timeout': { key: 'recovery_timeout', whole: false, description: "--recovery-timeout, by the runbooks' name" },
  'minimum-volume': { key: 'minimum_volume', whole: true, description: 'calls in the window before the threshold counts' },
  window: { key: 'window', whole: false, description: 'seconds of the rolling window' },
  'half-open-probes': { key: 'half_open_probes', whole: true, description: 'probe jobs let through when half open' },
  'probe-timeout': { key: 'probe_timeout', whole: false, description: 'seconds a probe may take' },
} as const;

function tuning(values: Values): BreakerOverrides {
  // One is the other by the runbooks' name: given both, which to keep would be a guess (REST refuses the same).
  if (str(values, 'recovery-timeout') !== undefined && str(values, 'reset-timeout') !== undefined) {
    throw new UsageError("--reset-timeout is --recovery-timeout by the runbooks' name: give one of them, not both");
  }
  const settings: BreakerOverrides = {};
  for (const [option, spec] of Object.entries(TUNABLE)) {
    const text = str(values, option);
    if (text === undefined) continue;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (spec.whole && !Number.isInteger(n))) {
      throw new UsageError(`--${option} must be a ${spec.whole ? 'whole number' : 'number'} above 0, not "${text}"`);
    }
    settings[spec.key] = n;
  }
  return settings;
}

async function tune(inv: Invocation): Promise<number> {
  const [, service] = positionals(inv, ['tune', 'SERVICE']);
  const settings = tuning(inv.values);
  const defaults = flag(inv.values, 'defaults');
  if (defaults === (Object.keys(settings).length > 0)) {
    throw new UsageError(defaults ? '--defaults forgets every tuned setting: give it alone' : `say what to tune (${Object.keys(TUNABLE).map((o) => `--${o}`).join(', ')}) or --defaults`);
  }
  return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
    const view = await call(ctx, 'breakers.tune', { service: service ?? '', ...settings, defaults, reason: str(inv.values, 'reason') });
    const known = ctx.registry.loadedAt !== null;
    if (inv.common.json) printJson(inv.io, view);
    else if (!view.tuning && !known) {
      inv.io.out(`breaker ${view.service_name}: ${view.changed ? "tuning forgotten, back to the registry's settings" : 'not tuned'}; a registry is needed to know those settings: ${NO_REGISTRY}`);
    } else if (!view.tuning) {
      const registry = `the registry's settings (threshold ${view.failure_threshold}, recovery ${view.recovery_timeout_s}s)`;
      inv.io.out(view.changed ? `breaker ${view.service_name}: back to ${registry}` : `breaker ${view.service_name}: not tuned, already ${registry}; nothing changed`);
    } else if (!view.changed) inv.io.out(`breaker ${view.service_name}: already tuned: ${tunedText(view)}; nothing changed`);
    else {
      inv.io.out(`breaker ${view.service_name} tuned for every worker: ${tunedText(view)}`);
      sayNoRegistry(ctx.registry, inv.io, 'the "registry" settings beside the tuned ones are opsdeck\'s defaults, and the settings not tuned may differ on the workers');
    }
    return 0;
  });
}

export const breaker: Command = {
  name: 'breaker',
  summary: 'circuit breakers: list, force open or closed, back to auto, reset, tune at run time',
  usage: 'list|status [SERVICE] | open|close|auto|reset SERVICE|--all [--reason TEXT] | tune SERVICE --failure-threshold N --recovery-timeout S … | tune SERVICE --defaults',
  details: [
    'open   no job of the service is dispatched; its jobs wait, they do not fail',
    'close  failures do not trip it',
    'auto   the breaker decides again',
    'reset  back to auto and closed, counters cleared (--all: every breaker)',
    'tune   change its settings now, for every worker, without editing the registry; --defaults undoes',
  ].join('\n'),
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'why, for the audit log' },
    all: { type: 'boolean', description: 'open/close/auto/reset: every breaker' },
    defaults: { type: 'boolean', description: "tune: forget the tuning, back to the registry's settings" },
    ...WIDE_OPTION,
    ...Object.fromEntries(Object.entries(TUNABLE).map(([option, spec]) => [option, { type: 'string' as const, value: spec.whole ? 'N' : 'S', description: `tune: ${spec.description}` }])),
  },
  async run(inv) {
    const action = inv.positionals[0] ?? 'list';
    // The runbooks' get_circuit_breaker_status: status is list, and either takes one service.
    if (action === 'list' || action === 'status') {
      const one = inv.positionals.length > 1 ? positionals(inv, [action, 'SERVICE'])[1] : undefined;
      return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
        const all = (await call(ctx, 'breakers.list', {})).breakers;
        const unknown = sayNoRegistry(ctx.registry, inv.io, "only the breakers kept in the store are listed, each with opsdeck's default settings (threshold, window), not the registry's");
        const breakers = one === undefined ? all : all.filter((b) => b.service_name === one);
        if (one !== undefined && breakers.length === 0) {
          const names = all.map((b) => b.service_name);
          const meant = closest(one, names);
          throw new CliFailure(`no breaker for service ${one} (${meant ? `did you mean ${meant}? ` : ''}known: ${names.join(', ') || 'none'})`, 1);
        }
        if (inv.common.json) {
          printJson(inv.io, { breakers });
          return 0;
        }
        if (breakers.length > 0) inv.io.out(breakerTable(inv.io, breakers, tableFit(inv)));
        else if (!unknown) inv.io.out('no breakers: the registry names no service');
        // Half-open with no job to probe it, a breaker stays so (its alert firing) until one comes: said whole, not cut in a cell.
        for (const b of breakers) if (b.waiting_for_probe !== null) inv.io.out(`\n${b.service_name}: ${timesIn(b.waiting_for_probe)}`);
        return 0;
      });
    }
    if (action === 'tune') return tune(inv);
    // The runbooks' reset_all_circuit_breakers, typed as a subcommand.
    const every = /^(open|close|auto|reset)[-_]all$/.exec(action)?.[1];
    if (every !== undefined) throw new UsageError(`breaker has no ${action}: opsdeck breaker ${every} --all [--reason TEXT] does it to every breaker`);
    if (!isAction(action)) {
      // Only the lists are guessed: a slip must never be answered with a command that changes the breakers.
      const meant = closest(action, ['list', 'status']);
      throw new UsageError(`breaker takes list (or status), open, close, auto, reset or tune, not "${action}"${meant ? ` (did you mean ${meant}?)` : ''}`);
    }
    const reason = str(inv.values, 'reason');
    if (flag(inv.values, 'all')) {
      positionals(inv, [action]);
      return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
        const { breakers: views, changed } = await call(ctx, 'breakers.setModeAll', { mode: MODES[action], reason });
        if (inv.common.json) printJson(inv.io, { breakers: views, changed });
        else if (views.length > 0) inv.io.out(setAllText(action, views, changed));
        else inv.io.out(ctx.registry.loadedAt === null ? `no breakers in the store to ${action}; ${NO_REGISTRY}` : 'no breakers: the registry names no service');
        return 0;
      });
    }
    const [, service] = positionals(inv, [action, 'SERVICE']);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const view = await call(ctx, 'breakers.setMode', { service: service ?? '', mode: MODES[action], reason });
      if (inv.common.json) printJson(inv.io, view);
      else if (view.changed) inv.io.out(`breaker ${view.service_name}: ${stateText(view)}`);
      else inv.io.out(`breaker ${view.service_name}: ${ALREADY[action]}${alreadyBy(view)}; nothing changed`);
      return 0;
    });
  },
};
