import type { BreakerRecord } from '../../shared/domain.ts';
import type { Logger } from '../log/logger.ts';
import { tunedBreaker, type BreakerTuning } from '../../shared/breakerTuning.ts';
import type { CircuitBreakerConfig } from '../../shared/registry.ts';
import type { ServiceGate } from '../../shared/rateLimit.ts';
import { tunedGates, type RateLimitTuning } from '../../shared/rateLimitTuning.ts';
import type { BreakerTransition, Settlement, Store } from '../store/store.ts';
import type { BreakerEvent } from './breakerMachine.ts';
import { dispatchAllowance, stepBreaker, tickDue } from './breakerMachine.ts';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import type { BreakerVerdict } from './classify.ts';
import type { EngineEmitter } from './engineEvents.ts';
import { errorMessage } from '../runners/result.ts';

const SAVE_TRIES = 5;
/** Failures and anything touching a breaker that is not plainly closed are written at once... */
const URGENT_MS = 10;
/** ...while a stream of successes on a closed breaker is written about once a second, not once a job. */
const CALM_MS = 1000;

type Outcome = 'success' | 'failure' | 'probe_release';

/**
 * This worker's view of the shared circuit breakers: a cache refreshed from the store, the gate the
 * dispatcher asks before claiming, and the writer that folds job outcomes into the stored records with
 * optimistic concurrency (re-read and re-apply on a version conflict). Operators' run-time rate limits
 * come in with the breakers: both are announced by the same signal and both decide what a claim takes.
 */
export class BreakerKeeper {
  #cache = new Map<string, BreakerRecord>();
  /** Operators' run-time tunings (opsdeck breaker tune), reloaded with the breakers. */
  #tunings = new Map<string, BreakerTuning>();
  #merged = new Map<string, { base: CircuitBreakerConfig; tuning: BreakerTuning; config: CircuitBreakerConfig }>();
  /** Operators' run-time rate limits (opsdeck rate-limit tune). */
  #rateLimitTunings: RateLimitTuning[] = [];
  #rateGates: { base: ServiceGate[]; tunings: RateLimitTuning[]; gates: ServiceGate[] } | null = null;
  #pending = new Map<string, BreakerEvent[]>();
  #timer: NodeJS.Timeout | null = null;
  #dueAt = Number.POSITIVE_INFINITY;
  #writing: Promise<void> = Promise.resolve();
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #deadlineTimer: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #store: Store;
  readonly #config: (service: string) => CircuitBreakerConfig;
  readonly #emitter: EngineEmitter;
  readonly #log: Logger;
  readonly #changed: () => void;

  constructor(opts: {
    store: Store;
    config: (service: string) => CircuitBreakerConfig;
    emitter: EngineEmitter;
    log: Logger;
    /** The gates may have moved: the dispatcher should look again. */
    changed: () => void;
  }) {
    this.#store = opts.store;
    this.#config = opts.config;
    this.#emitter = opts.emitter;
    this.#log = opts.log;
    this.#changed = opts.changed;
  }

  /** Reloads every breaker and moves those whose clock ran out (recovery elapsed, probe expired). */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = this.#doRefresh().finally(() => {
      this.#refreshing = null;
      if (this.#refreshAgain) {
        this.#refreshAgain = false;
        void this.refresh();
      }
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<void> {
    try {
      // Two reads side by side, not three: each needs a pooled connection of its own, and a worker's start
      // opens them while its first claim waits. The tunings are a few rows each.
      const [records, [tunings, rateLimitTunings]] = await Promise.all([
        this.#store.listBreakers(),
        this.#store.listBreakerTunings().then(async (breakerTunings) => [breakerTunings, await this.#store.listRateLimitTunings()] as const),
      ]);
      const now = new Date();
      const held = gatesKey(this.gates(now)) + rateLimitsKey(this.#rateLimitTunings);
      this.#cache = new Map(records.map((r) => [r.service_name, r]));
      this.#tunings = new Map(tunings.map((t) => [t.service_name, t]));
      if (rateLimitsKey(rateLimitTunings) !== rateLimitsKey(this.#rateLimitTunings)) this.#rateLimitTunings = rateLimitTunings;
      for (const record of records) {
        if (tickDue(record, this.#effective(record.service_name), now)) {
          await this.#update(record.service_name, (r) => this.#applyAll(r, [{ type: 'tick', at: now }]));
        }
      }
      // Only a refresh that changed what claims may take wakes the dispatcher: a wake every refresh would
      // be a claim every two seconds on every worker, and would hide a missing wake elsewhere.
      if (gatesKey(this.gates(now)) + rateLimitsKey(this.#rateLimitTunings) !== held) this.#changed();
    } catch (error) {
      this.#log.warn('could not read the circuit breakers', { error: errorMessage(error) });
    }
    this.#scheduleDeadline();
  }

  /**
   * Wakes up when the soonest open breaker's recovery timeout or half-open probe expires, so probes start
   * on time rather than at the next periodic refresh.
   */
  #scheduleDeadline(): void {
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = null;
    if (this.#closed) return;
    let soonest = Number.POSITIVE_INFINITY;
    for (const record of this.#cache.values()) {
      if (record.mode !== 'auto') continue;
      const config = this.#effective(record.service_name);
      if (record.state === 'open' && record.opened_at) {
        soonest = Math.min(soonest, Date.parse(record.opened_at) + config.recovery_timeout * 1000);
      } else if (record.state === 'half_open' && record.probe_started_at) {
        soonest = Math.min(soonest, Date.parse(record.probe_started_at) + config.probe_timeout * 1000);
      }
    }
    if (!Number.isFinite(soonest)) return;
    const wait = Math.min(2 ** 31 - 1, Math.max(0, soonest - Date.now()) + 5);
    this.#deadlineTimer = setTimeout(() => void this.refresh(), wait);
    this.#deadlineTimer.unref();
  }

  /** The registry's settings for the service with an operator's tuning laid over them. */
  #effective(service: string): CircuitBreakerConfig {
    const base = this.#config(service);
    const tuning = this.#tunings.get(service);
    if (!tuning) return base;
    // Asked before every claim: merged once per registry load and tuning, not on every ask.
    const hit = this.#merged.get(service);
    if (hit && hit.base === base && hit.tuning === tuning) return hit.config;
    const config = tunedBreaker(base, tuning);
    this.#merged.set(service, { base, tuning, config });
    return config;
  }

  /** The registry's rate limits and max_concurrent (`base`) with operators' run-time tunings laid over them. */
  rateGates(base: ServiceGate[]): ServiceGate[] {
    // Asked before every claim: merged once per registry load and tuning, not on every ask.
    const hit = this.#rateGates;
    if (hit && hit.base === base && hit.tunings === this.#rateLimitTunings) return hit.gates;
    const gates = tunedGates(base, this.#rateLimitTunings);
    this.#rateGates = { base, tunings: this.#rateLimitTunings, gates };
    return gates;
  }

  /** How many more jobs of the service may start: Infinity, a number of probes, or 0. */
  allowance(service: string, now: Date): number {
    return dispatchAllowance(this.#cache.get(service) ?? null, this.#effective(service), now);
  }

  /** Services no job may start for now, and those limited to a few probes. */
  gates(now: Date): { blocked: string[]; limited: Map<string, number> } {
    const blocked: string[] = [];
    const limited = new Map<string, number>();
    for (const service of this.#cache.keys()) {
      const n = this.allowance(service, now);
      if (n === 0) blocked.push(service);
      else if (Number.isFinite(n)) limited.set(service, n);
    }
    return { blocked, limited };
  }

  /** Takes up to `wanted` probe slots of a half-open breaker in the store; returns how many it got. */
  async reserveProbes(service: string, wanted: number, now: Date): Promise<number> {
    let granted = 0;
    const saved = await this.#update(service, (r) => {
      let current = r;
      granted = 0;
      for (let i = 0; i < wanted; i++) {
        const step = stepBreaker(current, this.#effective(service), { type: 'probe_start', at: now });
        if (step.record.probes_in_flight === current.probes_in_flight) break;
        current = step.record;
        granted++;
      }
      return { record: current, transitions: [] };
    });
    return saved ? granted : 0;
  }

  #record(service: string, outcome: Outcome, at: Date, error?: string): void {
    const events = this.#pending.get(service) ?? [];
    const last = events.at(-1);
    // A settled batch reports its successes at one instant: one counted event, not one per job.
    if (outcome === 'success' && last?.type === 'success' && last.at.getTime() === at.getTime()) {
      last.count = (last.count ?? 1) + 1;
    } else {
      events.push(outcome === 'failure' ? { type: 'failure', at, error } : { type: outcome, at });
    }
    this.#pending.set(service, events);
    const cached = this.#cache.get(service);
    const calm = outcome === 'success' && (cached === undefined || cached.state === 'closed');
    this.#schedule(calm ? CALM_MS : URGENT_MS);
  }

  /** What a settled attempt tells its service's breaker; a probe that ended without a verdict frees its slot. */
  recordSettled(settlement: Settlement, outcome: BreakerVerdict, service: string, wasProbe: boolean, at: Date): void {
    if (outcome === 'failure') this.#record(service, outcome, at, 'error' in settlement ? settlement.error.message : undefined);
    else if (outcome === 'success') this.#record(service, outcome, at);
    else if (wasProbe) this.#record(service, 'probe_release', at);
  }

  /** Writes every outcome recorded so far. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#dueAt = Number.POSITIVE_INFINITY;
    this.#writing = this.#writing.then(() => this.#writePending());
    return this.#writing;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = null;
  }

  #schedule(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (due >= this.#dueAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#dueAt = due;
    this.#timer = setTimeout(() => void this.flush(), delayMs);
  }

  async #writePending(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [service, events] of pending) {
      const saved = await this.#update(service, (r) => this.#applyAll(r, events));
      if (!saved) this.#log.warn('gave up recording outcomes on a breaker', { service, outcomes: events.length });
    }
  }

  #applyAll(record: BreakerRecord, events: BreakerEvent[]): { record: BreakerRecord; transitions: BreakerTransition[] } {
    const config = this.#effective(record.service_name);
    const transitions: BreakerTransition[] = [];
    let current = record;
    for (const event of events) {
      const step = stepBreaker(current, config, event);
      if (step.transition) transitions.push(step.transition);
      current = step.record;
    }
    return { record: current, transitions };
  }

  /** Read-modify-write with the version as the fence; true when saved or when nothing needed saving. */
  async #update(
    service: string,
    change: (record: BreakerRecord) => { record: BreakerRecord; transitions: BreakerTransition[] },
  ): Promise<boolean> {
    try {
      let current: BreakerRecord =
        this.#cache.get(service) ?? (await this.#store.getBreaker(service)) ?? newBreakerRecord(service, new Date());
      for (let i = 0; i < SAVE_TRIES; i++) {
        const { record, transitions } = change(current);
        if (record === current) return true;
        const toSave = { ...record, version: current.version + 1 };
        const transition = combine(transitions);
        if (await this.#store.saveBreaker(toSave, transition)) {
          this.#cache.set(service, toSave);
          if (toSave.state !== current.state) {
            this.#scheduleDeadline();
            this.#changed();
          }
          if (transition) {
            this.#log[transition.to === 'open' ? 'warn' : 'info'](`breaker ${transition.from} → ${transition.to}`, { service, reason: transition.reason });
            this.#emitter.emit('breaker', { service, state: toSave.state, mode: toSave.mode, reason: transition.reason });
          }
          return true;
        }
        current = (await this.#store.getBreaker(service)) ?? newBreakerRecord(service, new Date());
        this.#cache.set(service, current);
      }
      return false;
    } catch (error) {
      this.#log.warn('could not save a breaker', { service, error: errorMessage(error) });
      return false;
    }
  }
}

/** Several transitions in one save (rare: a probe closes it and the next failures reopen it) read as one. */
function combine(transitions: BreakerTransition[]): BreakerTransition | null {
  const first = transitions[0];
  const last = transitions.at(-1);
  if (!first || !last) return null;
  if (transitions.length === 1) return first;
  return { from: first.from, to: last.to, reason: transitions.map((t) => t.reason).join('; then ') };
}


function gatesKey(gates: { blocked: string[]; limited: Map<string, number> }): string {
  return JSON.stringify([[...gates.blocked].sort(), [...gates.limited].sort(([a], [b]) => a.localeCompare(b))]);
}

/** What of the rate limit tunings a claim obeys: who set them and why does not change a claim. */
function rateLimitsKey(tunings: RateLimitTuning[]): string {
  return JSON.stringify(tunings.map((t) => [t.service_name, t.settings]));
}
