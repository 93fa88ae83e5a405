import type { HealthReport } from '../../../shared/contract.ts';
import { checksNamed, reportWithoutStore, skippedBehind, NO_ROSTER, workerRoster, type WorkerRoster } from '../../api/handlers/health.ts';
import { INTEGRITY } from '../../api/integrityCheck.ts';
import { RegistryHolder } from '../../config/holder.ts';
import { SchemaBehindError, StoreError } from '../../store/errors.ts';
import { UsageError } from '../args.ts';
import { call } from '../call.ts';
import { commandRuntime } from '../commandRuntime.ts';
import type { Command, Invocation } from '../command.ts';
import { paint, printJson, timesIn } from '../output.ts';
import { renderTable, type TableFit } from '../table.ts';
import { CLI_WORDS } from '../words.ts';

/**
 * The report when the store cannot even be opened (down, refused, not there): its failing check is
 * `store`, and the checks that need no store (the registry, the runner probes) are made all the same,
 * as a console whose store went away makes them. A store refused for a schema behind this opsdeck (an
 * SQLite file a command does not migrate) answered: its migrations check says how far behind.
 */
async function reportWithoutOpenStore(inv: Invocation, error: StoreError): Promise<HealthReport> {
  const env = inv.io.env;
  const registry = new RegistryHolder(env);
  if (inv.common.registry) await registry.loadFile(inv.common.registry);
  return reportWithoutStore({ registry, engine: null, env, words: CLI_WORDS, answeredBy: 'command' }, { name: 'store', ok: false, detail: error.message }, error instanceof SchemaBehindError ? skippedBehind(error, CLI_WORDS) : undefined);
}

/**
 * The whole report, made whether or not the store can be opened; for `integrity`, that check alone, which
 * reads the whole store and so is never part of the whole report.
 */
async function fullReport(inv: Invocation, check: string | undefined): Promise<{ report: HealthReport; workers: WorkerRoster | null }> {
  let rt;
  try {
    rt = await commandRuntime(inv.common, inv.io.env);
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    if (check === INTEGRITY) return { report: { ok: false, checks: [{ name: INTEGRITY, ok: false, detail: error.message }] }, workers: NO_ROSTER };
    // No worker could be read: worker:NAME cannot tell (exit 1), not a name no check has (exit 2).
    return { report: await reportWithoutOpenStore(inv, error), workers: null };
  }
  // A registry that does not validate is one failing check here, not a reason to stop checking.
  try {
    const report = await call(rt.ctx, 'health.check', check === INTEGRITY ? { check } : {});
    // worker:NAME picks the workers named so (opsdeck worker --name), stopped ones too, read while the store is open.
    return { report, workers: check?.startsWith('worker:') ? await workerRoster(rt.ctx) : NO_ROSTER };
  } finally {
    await rt.close();
  }
}

/** The health report, or only the checks `check` names when given. */
export async function gatherHealth(inv: Invocation, check?: string): Promise<HealthReport> {
  const { report, workers } = await fullReport(inv, check);
  if (check === undefined) return report;
  // A name no check has is a mistyped argument (exit 2), not an outage (exit 1).
  const chosen = checksNamed(report, check, CLI_WORDS, workers);
  if ('unknown' in chosen) throw new UsageError(chosen.unknown);
  return chosen.report;
}

/** `fit`: how the table fits the terminal (diagnose takes --wide); health-check keeps its columns' own widths. */
export function printHealth(inv: Invocation, report: HealthReport, fit: TableFit = {}): void {
  inv.io.out(
    renderTable(
      [{ header: 'check', max: 50 }, { header: 'status' }, { header: 'detail', max: 600 }],
      report.checks.map((c) => [c.name, !c.ok ? paint(inv.io, 'FAIL', 'red') : c.warning ? paint(inv.io, 'WARN', 'yellow') : paint(inv.io, 'ok', 'green'), timesIn(c.detail)]),
      fit,
    ),
  );
  const failing = report.checks.filter((c) => !c.ok).length;
  const warnings = report.checks.filter((c) => c.ok && c.warning).length;
  const noted = warnings > 0 ? ` (${warnings} warning(s))` : '';
  inv.io.out(report.ok ? `\nhealthy${noted}` : `\nunhealthy: ${failing} check(s) failing${noted}`);
}

export const healthCheck: Command = {
  name: 'health-check',
  summary: 'store, migrations, registry, runner probes, workers, dispatch, breakers, workflows, scheduler, alert channels; exit 1 when anything is unhealthy, 2 for a CHECK no check has',
  usage: '[CHECK]   (store or database, migrations, registry, runner, runner:shell (runner:http or api_endpoints), workers, worker:ID or worker:NAME, dispatch, breakers, workflows, scheduler, alerts; integrity, made only when named: every page of an SQLite file, PostgreSQL\'s checksums and amcheck)',
  options: {},
  async run(inv) {
    if (inv.positionals.length > 1) throw new UsageError(`health-check takes at most one check, not ${inv.positionals.length}`);
    const report = await gatherHealth(inv, inv.positionals[0]);
    if (inv.common.json) printJson(inv.io, report);
    else printHealth(inv, report);
    return report.ok ? 0 : 1;
  },
};
