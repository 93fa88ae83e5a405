import { createHash } from 'node:crypto';

/**
 * The shape of a realistic job history, the same for both dialects' fills: many services in a few
 * queues, each service of one execution type; thirty days of finished jobs plus a burst in the last hour;
 * about one in twelve failed, each service in failures of its own (failures.ts), older dead letters mostly
 * resolved; one in twenty completed after a failed attempt; a backlog of pending jobs (some scheduled for
 * later) and a few hundred running at the newest end, on one registered worker.
 */
export const SERVICES = 24;
export const QUEUES = ['default', 'billing', 'reports', 'emails', 'sync', 'media'];
/** Service `svc` runs as EXECUTION_TYPES[svc % 5], as each dialect's SQL writes it out. */
export const EXECUTION_TYPES = ['http', 'shell', 'docker', 'serverless', 'noop'] as const;
export type HistoryType = (typeof EXECUTION_TYPES)[number];
export const DAYS = 30;
/** The share of jobs created in the last hour: a burst, as after an incident. */
export const BURST_SHARE = 0.1;
/** The newest jobs are still waiting (pending) or running. */
export const PENDING_SHARE = 0.02;
export const RUNNING = 500;
/** The backoff before each retry, in seconds: a retried job's attempts are that far apart. */
export const RETRY_AFTER_S = 30;

/** What the history needs of the engine, which the store may not import: the caller gives it (engine/testing/historyEngine.ts). */
export interface HistoryEngine {
  /** engine/fingerprint.ts: a failure's group is the one the engine would give its text. */
  fingerprint(message: string, service: string, errorClass: string): string;
  /** The version the worker running the jobs reports. */
  version: string;
}

/**
 * A job's status from its number `i` (1-based, oldest first) and a spread value r in [0, 1000):
 * the newest PENDING_SHARE are pending, the RUNNING before them running, the rest finished.
 */
export interface HistoryParams {
  jobs: number;
  /** Unix milliseconds the history ends at (the fill's "now"). */
  nowMs: number;
  engine: HistoryEngine;
}

export function firstPending(p: Pick<HistoryParams, 'jobs'>): number {
  return Math.floor(p.jobs * (1 - PENDING_SHARE)) + 1;
}

export function firstRunning(p: Pick<HistoryParams, 'jobs'>): number {
  return Math.max(1, firstPending(p) - RUNNING);
}

export function firstBurst(p: Pick<HistoryParams, 'jobs'>): number {
  return Math.floor(p.jobs * (1 - BURST_SHARE)) + 1;
}

export function serviceName(svc: number): string {
  return `svc_${String(svc).padStart(2, '0')}`;
}

export function serviceType(svc: number): HistoryType {
  return EXECUTION_TYPES[svc % EXECUTION_TYPES.length] ?? 'noop';
}

/** A registry naming every service of the history (as noop: the console's calls run none of them). */
export function historyRegistryYaml(): string {
  const services = Array.from({ length: SERVICES }, (_, s) => `  - name: ${serviceName(s)}\n    execution_type: noop\n`);
  return `services:\n${services.join('')}`;
}

/**
 * The worker the running jobs are leased to, as its row reads after registering and its last heartbeat,
 * at the history's end: alive, full, running the registry above, lacking nothing at its last look.
 */
export function historyWorker(p: HistoryParams) {
  return {
    id: 'bench-worker',
    host: 'bench-host',
    pid: 4242,
    version: p.engine.version,
    startedAt: new Date(p.nowMs - 6 * 3_600_000).toISOString(),
    concurrency: RUNNING,
    services: Array.from({ length: SERVICES }, (_, s) => serviceName(s)),
    lastHeartbeatAt: new Date(p.nowMs).toISOString(),
    rssBytes: 182_452_224,
    heapUsedBytes: 61_865_984,
    cpuPercent: 34.5,
    registryDigest: createHash('sha256').update(historyRegistryYaml()).digest('hex'),
    registryPath: '/etc/opsdeck/registry.yaml',
    cannotRun: JSON.stringify({ checked_at: new Date(p.nowMs - 12_000).toISOString(), services: [], looks_every_ms: 30_000 }),
  };
}
