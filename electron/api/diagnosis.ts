import type { Diagnosis, StoreDiagnostics } from '../../shared/diagnosis.ts';
import type { ApiContext } from './context.ts';
import { healthReport } from './handlers/health.ts';
import { computeStats } from './handlers/overview.ts';
import { registryView } from './handlers/registry.ts';
import { runners } from './handlers/runners.ts';
import { WORKER_LOST_AFTER_MS } from './handlers/workers.ts';
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

/** Everything the health checks know, plus versions, the store's size and slowest statements, and the top error patterns. */
export async function diagnose(ctx: ApiContext): Promise<Diagnosis> {
  const [details, health, status, groups, workers, probed] = await Promise.all([
    ctx.store.diagnostics(),
    healthReport(ctx),
    computeStats(ctx.store),
    ctx.store.dlqGroups({}),
    ctx.store.listWorkers(WORKER_LOST_AFTER_MS),
    runners['runners.list']({}, ctx),
  ]);
  const registry = registryView(ctx.registry);
  return {
    ...header(ctx.store.location, details),
    health,
    status,
    error_patterns: groups
      .slice(0, ERROR_PATTERNS)
      .map((g) => ({ fingerprint: g.fingerprint, count: g.count, services: g.services, last_seen: g.last_seen, sample_error: g.sample_error })),
    workers,
    runners: probed.runners,
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
