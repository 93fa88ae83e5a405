import { Gauge, Registry } from 'prom-client';
import { BreakerMode, BreakerState } from '../../shared/domain.ts';
import { WORKER_LOST_AFTER_MS } from '../api/handlers/workers.ts';
import { rateLimitUse } from '../api/rateUse.ts';
import type { RateUse } from '../../shared/rateLimit.ts';
import type { ApiContext } from '../api/context.ts';
import { stuckRunCounts } from '../api/stuckRuns.ts';
import type { QueueOldest } from '../store/store.ts';

/**
 * A gauge read from the store at each scrape. Every read here must come from kept counts, an index or a
 * small table (never a scan of the job history): a scrape every 15 s from every worker of a fleet runs
 * beside the engine.
 */
export interface StoreGauge {
  name: string;
  help: string;
  labelNames: readonly string[];
  read(source: GaugeSource, now: Date): Promise<Array<{ labels: Record<string, string>; value: number }>>;
}

/** What a scrape reads from: the store, and the registry for what it configures (rate limits). */
export type GaugeSource = Pick<ApiContext, 'store' | 'registry'>;

/**
 * A read made once per scrape (`now` is the scrape's own instant), shared by the gauges that show it:
 * each costs the store a round of seeks, and several gauges show the same one.
 */
function oncePerScrape<T>(read: (source: GaugeSource) => Promise<T>): (source: GaugeSource, now: Date) => Promise<T> {
  const byScrape = new WeakMap<Date, Promise<T>>();
  return (source, now) => {
    const known = byScrape.get(now);
    if (known) return known;
    const made = read(source);
    byScrape.set(now, made);
    return made;
  };
}

/** Rate-limit use, for the gauges that show it. */
const rateUseOf = oncePerScrape<RateUse[]>((source) => rateLimitUse(source));
/** The queues' oldest pending jobs, for the two gauges that show them. */
const oldestByQueueOf = oncePerScrape<QueueOldest[] | null>((source) => source.store.oldestPendingByQueue());

/** How far back `opsdeck_workflow_runs_last_hour` counts the runs started: an alert's window, read through the index on the runs' start. */
const RECENT_RUNS_MS = 3_600_000;

/** The fleet's state as every host sees it, the same on each worker sharing the store. New gauges are added here. */
export const STORE_GAUGES: readonly StoreGauge[] = [
  {
    name: 'opsdeck_jobs',
    help: 'Jobs by queue and status, from the counts the store keeps as jobs move.',
    labelNames: ['queue', 'status'],
    read: async ({ store }) => (await store.countsByQueueAndStatus()).map((c) => ({ labels: { queue: c.queue, status: c.status }, value: c.count })),
  },
  {
    name: 'opsdeck_dead_letters',
    help: 'Open dead letters: failed jobs nobody has resolved.',
    labelNames: [],
    read: async ({ store }) => [{ labels: {}, value: await store.deadLetterCount() }],
  },
  {
    name: 'opsdeck_queue_lag_seconds',
    help: 'Age of the oldest due pending job (0 when none is due): how far dispatch is behind.',
    labelNames: [],
    read: async ({ store }, now) => {
      const oldest = await store.oldestPendingRunAt();
      const lag = oldest === null ? 0 : Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000);
      return [{ labels: {}, value: lag }];
    },
  },
  {
    name: 'opsdeck_queue_oldest_due_read',
    help: '1 when opsdeck_queue_oldest_due_seconds was read at this scrape, 0 when too many lanes (queue, service and priority) hold pending jobs to read it: its series are absent then, not resolved.',
    labelNames: [],
    read: async (source, now) => [{ labels: {}, value: (await oldestByQueueOf(source, now)) === null ? 0 : 1 }],
  },
  {
    name: 'opsdeck_queue_oldest_due_seconds',
    help: 'Each queue with pending jobs: age of its oldest due one (0 when none is due yet), so the queue dispatch is behind on is named; absent when too many lanes hold jobs to read it.',
    labelNames: ['queue'],
    read: async (source, now) =>
      ((await oldestByQueueOf(source, now)) ?? []).map((q) => ({ labels: { queue: q.queue }, value: Math.max(0, (now.getTime() - Date.parse(q.run_at)) / 1000) })),
  },
  {
    name: 'opsdeck_circuit_breaker_state',
    help: 'Each service breaker: 1 for the state it is in (closed, open, half_open), 0 for the others.',
    labelNames: ['service', 'state'],
    read: async ({ store }) =>
      (await store.listBreakers()).flatMap((b) => BreakerState.options.map((state) => ({ labels: { service: b.service_name, state }, value: b.state === state ? 1 : 0 }))),
  },
  {
    name: 'opsdeck_circuit_breaker_mode',
    help: "Each service breaker: 1 for the operator's mode (auto, force_open, force_closed), 0 for the others.",
    labelNames: ['service', 'mode'],
    read: async ({ store }) =>
      (await store.listBreakers()).flatMap((b) => BreakerMode.options.map((mode) => ({ labels: { service: b.service_name, mode }, value: b.mode === mode ? 1 : 0 }))),
  },
  {
    name: 'opsdeck_worker_heartbeat_age_seconds',
    help: 'Seconds since each worker that has not stopped last sent a heartbeat.',
    labelNames: ['worker', 'host', 'state'],
    read: async ({ store }, now) =>
      (await store.listWorkers(WORKER_LOST_AFTER_MS))
        .filter((w) => w.state !== 'stopped')
        .map((w) => ({ labels: { worker: w.id, host: w.host, state: w.state }, value: Math.max(0, (now.getTime() - Date.parse(w.last_heartbeat_at)) / 1000) })),
  },
  {
    name: 'opsdeck_rate_limit_used_ratio',
    help: "Each rate-limited service: starts in its current period over its limit (1: jobs wait for the next period).",
    labelNames: ['service'],
    read: async (source, now) =>
      (await rateUseOf(source, now)).flatMap((u) => (u.limit === null || u.limit <= 0 ? [] : [{ labels: { service: u.service_name }, value: u.used / u.limit }])),
  },
  {
    name: 'opsdeck_concurrency_used_ratio',
    help: 'Each service with max_concurrent: its running jobs across the fleet over that cap.',
    labelNames: ['service'],
    read: async (source, now) =>
      (await rateUseOf(source, now)).flatMap((u) => (u.max_concurrent === null || u.max_concurrent <= 0 ? [] : [{ labels: { service: u.service_name }, value: u.running / u.max_concurrent }])),
  },
  {
    name: 'opsdeck_service_paused',
    help: "1 for each service whose calls an upstream's 429 + Retry-After paused fleet-wide, until then.",
    labelNames: ['service'],
    read: async (source, now) =>
      (await rateUseOf(source, now)).flatMap((u) => (u.paused_until !== null && Date.parse(u.paused_until) > now.getTime() ? [{ labels: { service: u.service_name }, value: 1 }] : [])),
  },
  {
    name: 'opsdeck_workflow_runs_running',
    help: 'Each workflow with runs under way: how many are running now, stuck ones included.',
    labelNames: ['workflow'],
    read: async ({ store }) => (await store.runningRunsByWorkflow()).map((r) => ({ labels: { workflow: r.workflow_name }, value: r.n })),
  },
  {
    name: 'opsdeck_workflow_runs_stuck',
    help: 'Each workflow with stuck runs: how many running runs made no task progress for their stuck_after.',
    labelNames: ['workflow'],
    read: async (source, now) => (await stuckRunCounts(source, now.getTime())).map((r) => ({ labels: { workflow: r.workflow_name }, value: r.n })),
  },
  {
    name: 'opsdeck_workflow_runs_last_hour',
    help: 'Runs started in the last hour, by workflow and the status each has now (running, completed, failed, cancelled).',
    labelNames: ['workflow', 'status'],
    read: async ({ store }, now) =>
      (await store.workflowRunCounts(new Date(now.getTime() - RECENT_RUNS_MS))).map((c) => ({ labels: { workflow: c.workflow_name, status: c.status }, value: c.n })),
  },
];

/**
 * The store gauges, in a registry of their own, and `opsdeck_store_up` in the process's. `read` fills
 * them for one scrape and returns their exposition; a store that does not answer gives none (an absent
 * series, not a zero that looks like an empty queue) and says so with opsdeck_store_up 0, so the scrape
 * itself still succeeds and the process's own metrics still arrive.
 */
export function storeGauges(processRegistry: Registry): { read(source: GaugeSource): Promise<string> } {
  const registry = new Registry();
  const gauges = STORE_GAUGES.map((source) => ({ source, gauge: new Gauge({ name: source.name, help: source.help, labelNames: [...source.labelNames], registers: [registry] }) }));
  const up = new Gauge({ name: 'opsdeck_store_up', help: 'Whether the store answered the reads of this scrape (1) or not (0).', registers: [processRegistry] });
  return {
    async read(source) {
      const now = new Date();
      let samples;
      try {
        samples = await Promise.all(gauges.map((g) => g.source.read(source, now)));
      } catch {
        up.set(0);
        return '';
      }
      gauges.forEach(({ gauge }, i) => {
        gauge.reset();
        for (const sample of samples[i] ?? []) gauge.set(sample.labels, sample.value);
      });
      up.set(1);
      return registry.metrics();
    },
  };
}
