import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Engine } from '../engine/engine.ts';
import type { EngineEvents } from '../engine/engineEvents.ts';

const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * What this process's engine did since it started, counted from its events: results by service and
 * outcome, failures by error class, how long attempts ran, how long the store took to claim and settle.
 * Per process, as Prometheus counters are: sum them across the fleet's workers in a query.
 */
export class EngineMetrics {
  readonly #processed: Counter<'service' | 'execution_type' | 'outcome'>;
  readonly #failed: Counter<'service' | 'error_class'>;
  readonly #deadLettered: Counter<'service' | 'error_class'>;
  readonly #attempt: Histogram<'execution_type'>;
  readonly #claim: Histogram;
  readonly #claimed: Counter;
  readonly #settle: Histogram;
  /** The engine whose events are counted. */
  #followed: Engine | null = null;
  #off: Array<() => void> = [];
  /** The engine the host runs now, for the gauges: none once local execution is off. */
  #current: Engine | null = null;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#processed = new Counter({
      name: 'opsdeck_jobs_processed_total',
      help: 'Attempts this process recorded, by service, execution type and outcome (completed, retry, failed, interrupted, cancelled).',
      labelNames: ['service', 'execution_type', 'outcome'],
      registers,
    });
    this.#failed = new Counter({
      name: 'opsdeck_jobs_failed_total',
      help: 'Failed attempts this process recorded (retried or dead-lettered), by service and error class.',
      labelNames: ['service', 'error_class'],
      registers,
    });
    this.#deadLettered = new Counter({
      name: 'opsdeck_jobs_dead_lettered_total',
      help: 'Jobs this process moved to the dead-letter queue, by service and error class.',
      labelNames: ['service', 'error_class'],
      registers,
    });
    this.#attempt = new Histogram({
      name: 'opsdeck_attempt_duration_seconds',
      help: 'How long attempts ran in this process, by execution type.',
      labelNames: ['execution_type'],
      buckets: ATTEMPT_BUCKETS,
      registers,
    });
    this.#claim = new Histogram({ name: 'opsdeck_engine_claim_duration_seconds', help: 'How long the store took to answer a claim.', buckets: STORE_BUCKETS, registers });
    this.#claimed = new Counter({ name: 'opsdeck_engine_claimed_jobs_total', help: 'Jobs this process leased from the store.', registers });
    this.#settle = new Histogram({ name: 'opsdeck_engine_settle_duration_seconds', help: 'How long the store took to record a batch of results.', buckets: STORE_BUCKETS, registers });
    const running: Gauge = new Gauge({
      name: 'opsdeck_engine_running_jobs',
      help: 'Jobs running in this process now.',
      registers,
      collect: () => running.set(this.#current?.inFlight().length ?? 0),
    });
    const heartbeat: Gauge = new Gauge({
      name: 'opsdeck_engine_heartbeat_age_seconds',
      help: "Seconds since this process's worker heartbeat last reached the store (absent while it runs no jobs).",
      registers,
      collect: () => {
        heartbeat.reset();
        const at = this.#current?.lastHeartbeat;
        if (at) heartbeat.set((Date.now() - at.getTime()) / 1000);
      },
    });
  }

  /**
   * Counts this engine's events from now on, and no longer the last one's: a host hands over each
   * engine as it is made, before it starts, so its first claim is counted.
   */
  follow(engine: Engine): void {
    this.#current = engine;
    if (engine === this.#followed) return;
    for (const off of this.#off) off();
    this.#followed = engine;
    this.#off = [engine.on('claimed', (e) => this.#onClaimed(e)), engine.on('settled', (e) => this.#onSettled(e))];
  }

  /** The engine the host runs at this scrape, if any: what the running-jobs and heartbeat gauges read. */
  show(engine: Engine | null): void {
    this.#current = engine;
    if (engine) this.follow(engine);
  }

  #onClaimed(e: EngineEvents['claimed']): void {
    this.#claim.observe(e.seconds);
    if (e.count > 0) this.#claimed.inc(e.count);
  }

  #onSettled(e: EngineEvents['settled']): void {
    this.#settle.observe(e.seconds);
    for (const r of e.results) {
      this.#processed.labels(r.service, r.execution_type, r.kind).inc();
      if (r.error_class !== null) {
        this.#failed.labels(r.service, r.error_class).inc();
        if (r.kind === 'failed') this.#deadLettered.labels(r.service, r.error_class).inc();
      }
      if (r.seconds !== null) this.#attempt.labels(r.execution_type).observe(r.seconds);
    }
  }
}
