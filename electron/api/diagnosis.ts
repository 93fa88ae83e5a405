import type { Diagnosis, StoreDiagnostics } from '../../shared/diagnosis.ts';
import { StoreError } from '../store/errors.ts';
import type { ApiContext } from './context.ts';
import { healthReport } from './handlers/health.ts';
import { integrityCheck } from './integrityCheck.ts';
import { computeStats } from './handlers/overview.ts';
import { registryView } from './handlers/registry.ts';
import { runners } from './handlers/runners.ts';
import { WORKER_LOST_AFTER_MS } from './handlers/workers.ts';
import { workerView } from './workerView.ts';
import { OPSDECK_VERSION } from './version.ts';

/** How many dead-letter groups a diagnosis names: the patterns an engineer reads first. */
const ERROR_PATTERNS = 10;

function header(location: string, details: StoreDiagnostics): Pick<Diagnosis, 'generated_at' | 'versions' | 'store'> {
  const { server_version: storeServer, ...store } = details;
  return {
    generated_at: new Date().toISOString(),
    versions: { opsdeck: OPSDECK_VERSION, node: process.versions.node, platform: `${process.platform} ${process.arch}`, store_server: storeServer },
    store: { location, ...store },
  };
}

/** The diagnostics of a store that did not answer: its health check says why. */
function unread(dialect: StoreDiagnostics['dialect']): StoreDiagnostics {
  return { dialect, server_version: null, size_bytes: null, slow_queries: null, notes: ['the store did not answer: see its health check'] };
}

/** A store read that may find the store gone: null then, since a diagnosis is most wanted exactly when it is. */
async function ifReadable<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof StoreError) return null;
    throw error;
  }
}

/**
 * Everything the health checks know, the store's integrity among them, plus versions, the store's size and slowest statements, and the top
 * error patterns. With the store unreachable, the parts read from it are null and its health check says why.
 */
export async function diagnose(ctx: ApiContext): Promise<Diagnosis> {
  const [details, checked, integrity, status, groups, workers, probed] = await Promise.all([
    ifReadable(() => ctx.store.diagnostics()),
    healthReport(ctx),
    integrityCheck(ctx),
    ifReadable(() => computeStats(ctx.store)),
    ifReadable(() => ctx.store.dlqGroups({})),
    ifReadable(async () => (await ctx.store.listWorkers(WORKER_LOST_AFTER_MS)).map((w) => workerView(w))),
    ifReadable(() => runners['runners.list']({}, ctx)),
  ]);
  const registry = registryView(ctx.registry);
  // A diagnosis is asked for by hand, when something is wrong: the store's integrity is read too.
  const health = { ok: checked.ok && integrity.ok, checks: [...checked.checks, integrity] };
  return {
    ...header(ctx.store.location, details ?? unread(ctx.store.dialect)),
    health,
    status,
    error_patterns: (groups ?? [])
      .slice(0, ERROR_PATTERNS)
      .map((g) => ({ fingerprint: g.fingerprint, count: g.count, services: g.services, last_seen: g.last_seen, sample_error: g.sample_error })),
    workers,
    runners: probed?.runners ?? null,
    registry: { path: registry.path, services: registry.services.length, problems: registry.problems },
  };
}

/** What can be said of a store that could not be opened (`opsdeck diagnose` is what one runs then). */
export function diagnosisWithoutStore(location: string, details: StoreDiagnostics, failure: string): Diagnosis {
  return {
    ...header(location, details),
    health: { ok: false, checks: [{ name: 'store', ok: false, detail: failure }] },
    status: null,
    error_patterns: [],
    workers: null,
    runners: null,
    registry: null,
  };
}
