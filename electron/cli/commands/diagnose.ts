import { lstat, rm, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { countText } from '../../../shared/countText.ts';
import { Diagnosis, type StoreDiagnostics } from '../../../shared/diagnosis.ts';
import { diagnose, diagnosisWithoutStore } from '../../api/diagnosis.ts';
import type { Runtime } from '../../api/runtime.ts';
import { packBundle, redactedAs, registryText, supportBundleFiles, supportSecrets } from '../../api/supportBundle.ts';
import { logDirectory } from '../../log/logFile.ts';
import { errorMessage } from '../../runners/result.ts';
import { storeDiagnostics } from '../../store/diagnostics.ts';
import { StoreError } from '../../store/errors.ts';
import { defaultDbLocation, redactLocation } from '../../store/location.ts';
import { flag, positionals, str, UsageError } from '../args.ts';
import { CliFailure, type Command, type Invocation } from '../command.ts';
import { commandRuntime } from '../commandRuntime.ts';
import { bytesText, printJson, timesIn } from '../output.ts';
import { renderTable, type TableFit } from '../table.ts';
import { tableFit, WIDE_OPTION } from '../tableFit.ts';
import { printHealth } from './health.ts';

function dbLocation(inv: Invocation): string {
  return inv.common.db ?? defaultDbLocation(inv.io.env);
}

async function openOrNull(inv: Invocation): Promise<{ rt: Runtime | null; failure: string | null }> {
  try {
    const rt = await commandRuntime(inv.common, inv.io.env, { migrate: false });
    return { rt, failure: null };
  } catch (error) {
    if (error instanceof StoreError) return { rt: null, failure: error.message };
    throw error;
  }
}

/** What a diagnosis or bundle of this invocation must not show (supportSecrets), the --db URL's password too. */
function secretsOfInvocation(inv: Invocation, rt: Runtime | null, fileText: string | null): string[] {
  return supportSecrets({
    env: inv.io.env,
    registry: rt?.ctx.registry.registry ?? null,
    fileText,
    urls: [dbLocation(inv)],
    values: rt?.ctx.store.connectionSecrets() ?? [],
  });
}

/** The runtime's diagnosis, or what can be said without a store when it could not be opened. */
async function diagnosisOf(inv: Invocation, rt: Runtime | null, failure: string | null): Promise<Diagnosis> {
  if (rt) return diagnose(rt.ctx);
  const location = dbLocation(inv);
  return diagnosisWithoutStore(redactLocation(location), await storeDiagnostics(location), failure ?? 'cannot be opened');
}

/**
 * pg_stat_statements' slowest statements as the console's Runners page lists them: calls counted with their
 * thousands separated, the mean kept in milliseconds to two places, since most statements' means are below
 * one and the shared duration text would write them all as 0 ms.
 */
export function slowQueriesTable(queries: NonNullable<StoreDiagnostics['slow_queries']>, fit: TableFit): string {
  return renderTable([{ header: 'mean ms', align: 'right' }, { header: 'calls', align: 'right' }, { header: 'query', max: 100 }], queries.map((q) => [q.mean_ms.toFixed(2), countText(q.calls), q.query]), fit);
}

function printDiagnosis(inv: Invocation, d: Diagnosis): void {
  const io = inv.io;
  const fit = tableFit(inv);
  io.out(`opsdeck ${d.versions.opsdeck}, node ${d.versions.node}, ${d.versions.platform}`);
  io.out(`store: ${d.store.dialect} at ${d.store.location}, server ${d.versions.store_server ?? 'unknown'}, size ${bytesText(d.store.size_bytes)}`);
  for (const note of d.store.notes) io.out(`note: ${note}`);
  if (d.store.slow_queries && d.store.slow_queries.length > 0) {
    io.out('\nslowest queries (pg_stat_statements):');
    io.out(slowQueriesTable(d.store.slow_queries, fit));
  }
  io.out('');
  printHealth(inv, d.health, fit);
  if (d.error_patterns.length > 0) {
    io.out('\nrecent error patterns (open dead letters by fingerprint):');
    io.out(renderTable([{ header: 'count', align: 'right' }, { header: 'fingerprint' }, { header: 'services', max: 30 }, { header: 'sample error', max: 80, cut: 'middle' }], d.error_patterns.map((g) => [String(g.count), g.fingerprint, g.services.join(','), timesIn(g.sample_error)]), fit));
  }
}

export const diagnoseCommand: Command = {
  name: 'diagnose',
  summary: 'health-check plus versions, store size, slowest queries and the top error patterns',
  usage: '[--full] [--wide]',
  options: { full: { type: 'boolean', description: 'accepted as the runbooks write it: the diagnosis is always the full one' }, ...WIDE_OPTION },
  async run(inv) {
    positionals(inv, []);
    const { rt, failure } = await openOrNull(inv);
    try {
      // Diagnoses get pasted into tickets: the same redaction as a support bundle.
      const secrets = secretsOfInvocation(inv, rt, await registryText(rt?.ctx.registry.path ?? null));
      const d = redactedAs(Diagnosis, await diagnosisOf(inv, rt, failure), secrets);
      if (inv.common.json) printJson(inv.io, d);
      else printDiagnosis(inv, d);
      return d.health.ok ? 0 : 1;
    } finally {
      await rt?.close();
    }
  },
};

/** Whatever is at `path` already, a link that points nowhere included. */
function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function isExisting(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EEXIST';
}

export const supportBundle: Command = {
  name: 'support-bundle',
  summary: 'a .tar.gz to send: diagnosis, the registry, recent failures, audit and the end of the desktop log; secret values redacted',
  usage: '--output FILE [--force]',
  options: {
    output: { type: 'string', value: 'FILE', description: 'where to write the .tar.gz (a new file)' },
    force: { type: 'boolean', description: 'replace FILE if it exists' },
  },
  async run(inv) {
    positionals(inv, []);
    const output = str(inv.values, 'output');
    if (!output) throw new UsageError('support-bundle needs --output FILE');
    const target = resolve(output);
    const force = flag(inv.values, 'force');
    // An earlier bundle, or any file mistyped as the output, is not replaced unasked.
    const taken = `${target} exists: give --output a new file, or add --force to replace it`;
    if (!force && (await exists(target))) throw new CliFailure(taken);
    const { rt, failure } = await openOrNull(inv);
    try {
      const diagnosis = await diagnosisOf(inv, rt, failure);
      const registryPath = rt?.ctx.registry.path ?? (inv.common.registry ? resolve(inv.common.registry) : null);
      const fileText = await registryText(registryPath);
      const secrets = secretsOfInvocation(inv, rt, fileText);
      const files = await supportBundleFiles({ diagnosis, ctx: rt?.ctx ?? null, registryText: fileText, env: inv.io.env, logDir: logDirectory(inv.io.env), secrets });
      const names = Object.keys(files);
      const archive = await packBundle(files);
      // Replaced rather than written over: the new file is private (0600) whatever the old one's mode was,
      // and a link at the path is removed, not followed.
      const replaced = force && (await exists(target));
      if (replaced) await rm(target);
      await writeFile(target, archive, { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
        throw isExisting(error) ? new CliFailure(taken) : error;
      });
      // Recorded like the console's download; a store that takes no writes (a standby) still gets its bundle.
      await rt?.ctx.store
        .audit({ actor: rt.ctx.actor, action: 'support.bundle', target: basename(target), details: { files: names, bytes: archive.length } })
        .catch((error: unknown) => inv.io.err(`opsdeck: the bundle is written, but the audit log did not take it: ${errorMessage(error)}`));
      if (inv.common.json) printJson(inv.io, { output: target, replaced, files: names, healthy: diagnosis.health.ok });
      else inv.io.out(`wrote ${target}${replaced ? ', replacing the file that was there' : ''} (${names.join(', ')}); secret values are redacted`);
      return 0;
    } catch (error) {
      if (error instanceof CliFailure) throw error;
      throw new CliFailure(`could not write the bundle: ${errorMessage(error)}`);
    } finally {
      await rt?.close();
    }
  },
};
