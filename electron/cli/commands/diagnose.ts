import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HealthReport } from '../../../shared/contract.ts';
import { createRuntime, type Runtime } from '../../api/runtime.ts';
import { OPSDECK_VERSION } from '../../api/version.ts';
import { redactRegistryText } from '../../config/secrets.ts';
import { LOG_FILE_NAME, logDirectory, logTail } from '../../log/logFile.ts';
import { storeDiagnostics, type StoreDiagnostics } from '../../store/diagnostics.ts';
import { StoreError } from '../../store/errors.ts';
import { defaultDbLocation, redactLocation } from '../../store/location.ts';
import { positionals, str, UsageError } from '../args.ts';
import { call } from '../call.ts';
import { CliFailure, type Command, type Invocation } from '../command.ts';
import { bytesText, printJson } from '../output.ts';
import { redactText, secretsOf } from '../../config/redaction.ts';
import { renderTable } from '../table.ts';
import { printHealth } from './health.ts';

interface Diagnosis {
  generated_at: string;
  versions: { opsdeck: string; node: string; platform: string; store_server: string | null };
  store: { location: string; dialect: string; size_bytes: number | null; slow_queries: StoreDiagnostics['slow_queries']; notes: string[] };
  health: HealthReport;
  status: unknown;
  error_patterns: Array<{ fingerprint: string; count: number; services: string[]; last_seen: string; sample_error: string }>;
  workers: unknown;
  runners: unknown;
  registry: { path: string | null; services: number; problems: unknown[] } | null;
}

function dbLocation(inv: Invocation): string {
  return inv.common.db ?? defaultDbLocation(inv.io.env);
}

async function openOrNull(inv: Invocation): Promise<{ rt: Runtime | null; failure: string | null }> {
  try {
    const rt = await createRuntime({ db: inv.common.db, registryPath: inv.common.registry ?? null, env: inv.io.env, execute: false, migrate: false });
    return { rt, failure: null };
  } catch (error) {
    if (error instanceof StoreError) return { rt: null, failure: error.message };
    throw error;
  }
}

/** Everything health-check knows, plus versions, store size and slow queries, and the top error patterns. */
async function diagnose(inv: Invocation, rt: Runtime | null, failure: string | null): Promise<Diagnosis> {
  const location = dbLocation(inv);
  const details = await storeDiagnostics(location);
  const base = {
    generated_at: new Date().toISOString(),
    versions: { opsdeck: OPSDECK_VERSION, node: process.versions.node, platform: `${process.platform} ${process.arch}`, store_server: details.server_version },
    store: { location: redactLocation(location), dialect: details.dialect, size_bytes: details.size_bytes, slow_queries: details.slow_queries, notes: details.notes },
  };
  if (!rt) {
    return {
      ...base,
      health: { ok: false, checks: [{ name: 'store', ok: false, detail: failure ?? 'cannot be opened' }] },
      status: null,
      error_patterns: [],
      workers: null,
      runners: null,
      registry: null,
    };
  }
  const ctx = rt.ctx;
  const [health, stats, groups, workers, runners, registry] = await Promise.all([
    call(ctx, 'health.check', {}),
    call(ctx, 'overview.stats', {}),
    call(ctx, 'dlq.groups', {}),
    call(ctx, 'workers.list', {}),
    call(ctx, 'runners.list', {}),
    call(ctx, 'registry.get', {}),
  ]);
  return {
    ...base,
    health,
    status: stats,
    error_patterns: groups.groups.slice(0, 10).map((g) => ({ fingerprint: g.fingerprint, count: g.count, services: g.services, last_seen: g.last_seen, sample_error: g.sample_error })),
    workers: workers.workers,
    runners: runners.runners,
    registry: { path: registry.path, services: registry.services.length, problems: registry.problems },
  };
}

function printDiagnosis(inv: Invocation, d: Diagnosis): void {
  const io = inv.io;
  io.out(`opsdeck ${d.versions.opsdeck}, node ${d.versions.node}, ${d.versions.platform}`);
  io.out(`store: ${d.store.dialect} at ${d.store.location}, server ${d.versions.store_server ?? 'unknown'}, size ${bytesText(d.store.size_bytes)}`);
  for (const note of d.store.notes) io.out(`note: ${note}`);
  if (d.store.slow_queries && d.store.slow_queries.length > 0) {
    io.out('\nslowest queries (pg_stat_statements):');
    io.out(renderTable([{ header: 'mean ms', align: 'right' }, { header: 'calls', align: 'right' }, { header: 'query', max: 100 }], d.store.slow_queries.map((q) => [q.mean_ms.toFixed(2), String(q.calls), q.query])));
  }
  io.out('');
  printHealth(inv, d.health);
  if (d.error_patterns.length > 0) {
    io.out('\nrecent error patterns (open dead letters by fingerprint):');
    io.out(renderTable([{ header: 'count', align: 'right' }, { header: 'fingerprint' }, { header: 'services', max: 30 }, { header: 'sample error', max: 80 }], d.error_patterns.map((g) => [String(g.count), g.fingerprint, g.services.join(','), g.sample_error])));
  }
}

export const diagnoseCommand: Command = {
  name: 'diagnose',
  summary: 'health-check plus versions, store size, slowest queries and the top error patterns',
  usage: '[--full]',
  options: { full: { type: 'boolean', description: 'accepted as the runbooks write it: the diagnosis is always the full one' } },
  async run(inv) {
    positionals(inv, []);
    const { rt, failure } = await openOrNull(inv);
    try {
      const d = await diagnose(inv, rt, failure);
      // Diagnoses get pasted into tickets: the same redaction as a support bundle.
      const secrets = secretsOf(inv.io.env, await registryText(rt?.ctx.registry.path ?? null), [dbLocation(inv)]);
      const out: Invocation = { ...inv, io: { ...inv.io, out: (text) => inv.io.out(redactText(text, secrets)) } };
      if (inv.common.json) printJson(out.io, d);
      else printDiagnosis(out, d);
      return d.health.ok ? 0 : 1;
    } finally {
      await rt?.close();
    }
  },
};

async function registryText(path: string | null): Promise<string | null> {
  if (!path) return null;
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

export const supportBundle: Command = {
  name: 'support-bundle',
  summary: 'a .tar.gz to send: diagnosis, the registry, recent failures, audit and the end of the desktop log; secret values redacted',
  usage: '--output FILE',
  options: { output: { type: 'string', value: 'FILE', description: 'where to write the .tar.gz' } },
  async run(inv) {
    positionals(inv, []);
    const output = str(inv.values, 'output');
    if (!output) throw new UsageError('support-bundle needs --output FILE');
    const target = resolve(output);
    const { rt, failure } = await openOrNull(inv);
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-bundle-'));
    try {
      const d = await diagnose(inv, rt, failure);
      const regPath = rt?.ctx.registry.path ?? (inv.common.registry ? resolve(inv.common.registry) : null);
      const regText = await registryText(regPath);
      const secrets = secretsOf(inv.io.env, regText, [dbLocation(inv)]);
      const files: Record<string, string> = { 'diagnose.json': JSON.stringify(d, null, 2) };
      if (regText !== null) files['registry.yaml'] = redactRegistryText(regText, inv.io.env);
      if (rt) {
        const failed = await call(rt.ctx, 'jobs.list', { filter: { status: ['failed'] }, limit: 200 });
        const traces = await Promise.all(failed.jobs.slice(0, 20).map((j) => call(rt.ctx, 'jobs.get', { id: j.id })));
        files['failures.json'] = JSON.stringify({ jobs: failed.jobs, traces }, null, 2);
        files['audit.json'] = JSON.stringify(await call(rt.ctx, 'audit.list', { limit: 500 }), null, 2);
      }
      const tail = await logTail(logDirectory(inv.io.env));
      if (tail !== null) files[LOG_FILE_NAME] = tail;
      files['README.txt'] = [
        `opsdeck support bundle, ${d.generated_at}`,
        'diagnose.json  versions, store, health checks, counts, workers, runners, top error patterns',
        'registry.yaml  the service registry in use, secret values redacted',
        'failures.json  recent failed jobs, with the attempts of the newest 20',
        'audit.json     recent operator actions',
        `${LOG_FILE_NAME}    the end of the desktop app's log (JSON lines), when this machine has one`,
        'Secret values (variables the registry names, secret-looking variables, URL passwords) are replaced by [redacted].',
      ].join('\n');
      const names = Object.keys(files);
      for (const name of names) await writeFile(join(dir, name), redactText(files[name] ?? '', secrets), { mode: 0o600 });
      // Loaded by the one command that writes an archive, not by every command the CLI starts for.
      const tar = await import('tar');
      await tar.create({ gzip: true, file: target, cwd: dir, portable: true }, names);
      if (inv.common.json) printJson(inv.io, { output: target, files: names, healthy: d.health.ok });
      else inv.io.out(`wrote ${target} (${names.join(', ')}); secret values are redacted`);
      return 0;
    } catch (error) {
      if (error instanceof CliFailure) throw error;
      throw new CliFailure(`could not write the bundle: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rt?.close();
    }
  },
};
