import { readFile } from 'node:fs/promises';
import type { AlertView } from '../../../shared/alerts.ts';
import { unknownService } from '../../config/alertChecks.ts';
import { parseAlertRule } from '../../config/alertRuleFile.ts';
import { formatProblem, isError } from '../../config/load.ts';
import { parseDuration } from '../../../shared/duration.ts';
import { int, positionals, str, UsageError } from '../args.ts';
import { call, withRuntime } from '../call.ts';
import { CliFailure, type Command, type Invocation } from '../command.ts';
import { sayNoRegistry } from '../noRegistry.ts';
import { paint, printJson, timesIn, when, type Io } from '../output.ts';
import { renderTable } from '../table.ts';

/** A summary's characters the table shows. */
const SUMMARY_SHOWN = 90;

/** `registryLoaded` false: a rule known only by its state here may well be the registry's, which this process has none of. */
function alertTable(io: Io, alerts: AlertView[], registryLoaded: boolean): string {
  return renderTable(
    [{ header: 'rule' }, { header: 'kind' }, { header: 'severity' }, { header: 'state' }, { header: 'since' }, { header: 'acknowledged', max: 50 }, { header: 'silenced until' }, { header: 'summary', max: SUMMARY_SHOWN }],
    alerts.map(({ name, rule, state }) => [
      name,
      rule?.kind ?? (registryLoaded ? '(not in this registry)' : '(no registry loaded)'),
      rule?.severity ?? state?.severity ?? '',
      state === null ? 'not evaluated yet' : state.firing ? paint(io, 'FIRING', 'red') : paint(io, 'ok', 'green'),
      state ? when(state.since) : '',
      state?.acked_by ? `${state.acked_by}: ${state.ack_note ?? ''}` : '',
      state?.silenced_until && Date.parse(state.silenced_until) > Date.now() ? when(state.silenced_until) : '',
      state?.summary ?? '',
    ]),
  );
}

/** States nobody has evaluated for a while (the evaluating process stopped) may no longer be true: say so. */
const STALE_AFTER_MS = 2 * 60_000;

export function staleness(alerts: AlertView[], now: number): string | null {
  const times = alerts.flatMap((a) => (a.state ? [Date.parse(a.state.evaluated_at)] : []));
  if (alerts.length === 0) return null;
  if (times.length === 0) return 'opsdeck: no process has evaluated these rules yet (a worker, opsdeck serve or the desktop does, with this registry): nothing here says what fires';
  const newest = Math.max(...times);
  if (now - newest < STALE_AFTER_MS) return null;
  return `opsdeck: these states were last evaluated ${Math.round((now - newest) / 60_000)} min ago (${when(new Date(newest).toISOString())}): no process evaluates the alerts now (a worker, opsdeck serve or the desktop does), so they may be out of date`;
}

async function list(inv: Invocation): Promise<number> {
  positionals(inv, inv.positionals[0] === 'list' ? ['list'] : []);
  return withRuntime(inv, async ({ ctx }) => {
    const result = await call(ctx, 'alerts.list', {});
    const firing = result.alerts.filter((a) => a.state?.firing);
    const stale = staleness(result.alerts, Date.now());
    const unknown = sayNoRegistry(ctx.registry, inv.io, "the registry's rules are not known here: only the rules kept in the store, and the states of the others, are listed");
    if (inv.common.json) printJson(inv.io, { firing: firing.length, stale: stale !== null, alerts: result.alerts });
    else if (result.alerts.length === 0) {
      if (!unknown) inv.io.out('no alert rules (add alerts: to the registry, or opsdeck alerts save-rule FILE)');
    } else {
      inv.io.out(alertTable(inv.io, result.alerts, !unknown));
      inv.io.out(firing.length > 0 ? `\n${firing.length} firing: ${firing.map((a) => a.name).join(', ')}` : stale ? '\nnothing fired when last evaluated' : '\nnothing is firing');
      // The table cuts a long summary (a half-open breaker's says how to check the service by hand): a firing one is said whole.
      for (const a of firing) if (a.state && [...a.state.summary].length > SUMMARY_SHOWN) inv.io.out(`${a.name}: ${timesIn(a.state.summary)}`);
    }
    if (stale) inv.io.err(stale);
    // For cron and monitoring scripts: 1 while anything fires; 3 while nobody evaluates, so quiet is no news.
    return firing.length > 0 ? 1 : stale ? 3 : 0;
  });
}

async function history(inv: Invocation): Promise<number> {
  const [, rule] = positionals(inv, inv.positionals.length > 1 ? ['history', 'RULE'] : ['history']);
  return withRuntime(inv, async ({ ctx }) => {
    const page = await call(ctx, 'alerts.history', { ...(rule ? { rule } : {}), limit: int(inv.values, 'limit', 1, 500) ?? 50, after: str(inv.values, 'after') ?? null });
    if (inv.common.json) printJson(inv.io, page);
    else if (page.events.length === 0) inv.io.out('no alert history');
    else {
      inv.io.out(
        renderTable(
          [{ header: 'at' }, { header: 'rule' }, { header: 'event' }, { header: 'severity' }, { header: 'channel' }, { header: 'summary', max: 100 }],
          page.events.map((e) => [when(e.at), e.rule, e.kind, e.severity, e.channel ?? '', e.summary]),
        ),
      );
      if (page.next_cursor) inv.io.out(`\nmore: --after ${page.next_cursor}`);
    }
    return 0;
  });
}

async function ack(inv: Invocation): Promise<number> {
  const [, rule] = positionals(inv, ['ack', 'RULE']);
  const note = str(inv.values, 'note');
  if (!note?.trim()) throw new UsageError('alerts ack needs --note TEXT: what you are doing about it');
  return withRuntime(inv, async ({ ctx }) => {
    const state = await call(ctx, 'alerts.ack', { rule: rule ?? '', note });
    if (inv.common.json) printJson(inv.io, state);
    else inv.io.out(`alert ${state.rule} acknowledged by ${state.acked_by ?? ''}: ${state.ack_note ?? ''}`);
    return 0;
  });
}

async function silence(inv: Invocation): Promise<number> {
  const [, rule] = positionals(inv, ['silence', 'RULE']);
  const text = str(inv.values, 'for');
  if (text === undefined) throw new UsageError('alerts silence needs --for DURATION (30m, 2h; 0 lifts the silence)');
  const seconds = parseDuration(text);
  if (seconds === null) throw new UsageError(`--for takes a duration such as 30m or 2h, not "${text}"`);
  return withRuntime(inv, async ({ ctx }) => {
    const state = await call(ctx, 'alerts.silence', { rule: rule ?? '', minutes: Math.ceil(seconds / 60), reason: str(inv.values, 'reason') });
    if (inv.common.json) printJson(inv.io, state);
    else inv.io.out(state.silenced_until ? `alert ${state.rule} silenced until ${when(state.silenced_until)}` : `alert ${state.rule} is no longer silenced`);
    return 0;
  });
}

/** One rule, as YAML (what goes under alerts: in the registry), from a file: its text. */
async function readRuleText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    throw new CliFailure(code === 'ENOENT' ? `no file ${file}` : `cannot read ${file} (${code || 'error'})`);
  }
}

/**
 * Every problem of the file, each on its line as validate-config prints a registry's, before the store is
 * opened; a rule naming a service the loaded registry lacks is warned of once the registry is read.
 */
async function saveRule(inv: Invocation): Promise<number> {
  const [, file = ''] = positionals(inv, ['save-rule', 'FILE']);
  const checked = parseAlertRule(await readRuleText(file), inv.io.env, null);
  for (const problem of checked.problems) inv.io.err(formatProblem(file, problem));
  const rule = checked.rule;
  if (rule === null) {
    const errors = checked.problems.filter(isError).length;
    throw new CliFailure(`${file} is not an alert rule: ${errors} problem${errors === 1 ? '' : 's'} above; nothing was saved`);
  }
  return withRuntime(
    inv,
    async ({ ctx }) => {
      const services = ctx.registry.loadedAt === null ? null : new Set(ctx.registry.registry.services.map((s) => s.name));
      for (const problem of services ? unknownService(rule, services) : []) inv.io.err(`opsdeck: warning: ${problem.message}`);
      const saved = await call(ctx, 'alerts.saveRule', { rule });
      if (inv.common.json) printJson(inv.io, saved);
      else inv.io.out(`alert rule ${saved.rule.name} saved in the store by ${saved.set_by}`);
      return 0;
    },
  );
}

async function deleteRule(inv: Invocation): Promise<number> {
  const [, name] = positionals(inv, ['delete-rule', 'NAME']);
  return withRuntime(inv, async ({ ctx }) => {
    await call(ctx, 'alerts.deleteRule', { name: name ?? '' });
    inv.io.out(`alert rule ${name ?? ''} deleted (the audit log keeps it)`);
    return 0;
  });
}

export const alerts: Command = {
  name: 'alerts',
  summary: 'alert rules: what fires now (exit 1 while any does, 3 while nobody evaluates), history, acknowledge, silence',
  usage: '[list] | history [RULE] | ack RULE --note TEXT | silence RULE --for 30m [--reason TEXT] | save-rule FILE | delete-rule NAME',
  details: [
    'list     every rule, the registry\'s and those kept in the store, with its state; exits 1 while any rule fires, 3 while no process evaluates them (for cron and monitoring)',
    'history  firing and resolved transitions and channel deliveries, newest first',
    'ack      acknowledge a firing alert with a note (audited)',
    'silence  no notifications for a while (--for 0 lifts it); transitions are still recorded (audited)',
    'save-rule    add or replace a rule kept in the store, from a YAML file of one rule (audited)',
    'delete-rule  delete a rule kept in the store (audited); rules of the registry file change in the file',
  ].join('\n'),
  options: {
    note: { type: 'string', value: 'TEXT', description: 'ack: what you are doing about it' },
    for: { type: 'string', value: 'DURATION', description: 'silence: how long (30m, 2h, 1d; 0 lifts it)' },
    reason: { type: 'string', value: 'TEXT', description: 'silence: why, for the audit log' },
    limit: { type: 'string', value: 'N', description: 'history: at most N events (default 50)' },
    after: { type: 'string', value: 'CURSOR', description: 'history: the next page' },
  },
  async run(inv) {
    const action = inv.positionals[0] ?? 'list';
    switch (action) {
      case 'list':
        return list(inv);
      case 'history':
        return history(inv);
      case 'ack':
        return ack(inv);
      case 'silence':
        return silence(inv);
      case 'save-rule':
        return saveRule(inv);
      case 'delete-rule':
        return deleteRule(inv);
      default:
        throw new UsageError(`alerts takes list, history, ack, silence, save-rule or delete-rule, not "${action}"`);
    }
  },
};
