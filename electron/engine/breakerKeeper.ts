import { BreakerRecord } from '../../shared/domain.ts';
import type { Logger } from '../log/logger.ts';
import { tunedBreaker, type BreakerTuning } from '../../shared/breakerTuning.ts';
import type { CircuitBreakerConfig } from '../../shared/registry.ts';
import type { ServiceGate } from '../../shared/rateLimit.ts';
import { tunedGates, type RateLimitTuning } from '../../shared/rateLimitTuning.ts';
import { StoreError } from '../store/errors.ts';
import type { Settlement, Store } from '../store/store.ts';
import type { BreakerTransition } from '../store/breakerStore.ts';
import { foldOldest, KEPT_MOST } from './breakerBacklog.ts';
import type { BreakerEvent, BreakerHold } from './breakerMachine.ts';
import { breakerHold, dispatchAllowance, stepBreaker, tickDue } from './breakerMachine.ts';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import type { BreakerVerdict } from './classify.ts';
import type { EngineEmitter } from './engineEvents.ts';
import { errorMessage } from '../runners/result.ts';

const SAVE_TRIES = 5;
/** Failures and anything touching a breaker that is not plainly closed are written at once... */
const URGENT_MS = 10;
/** ...while a stream of successes on a closed breaker is written about once a second, not once a job. */
const CALM_MS = 1000;
/** Outcomes the store did not take are tried again this much later, as long as it does not. */
const RETRY_MS = 1000;

type Outcome = 'success' | 'failure' | 'probe_release';

/**
 * What a read-modify-write came to: saved (or nothing to save), beaten by other writers on every try, not
 * tried while a save of outcomes that may have landed is not settled (settleUnsure), or failed in the
 * store; `sent` is then the record a save carried when it failed, which may have landed.
 */
type Update = 'saved' | 'outrun' | 'unsettled' | { error: unknown; sent: BreakerRecord | null };

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
  /** Per service, a save of outcomes that failed with no answer: it may have landed, or not (settleUnsure). */
  #unsure = new Map<string, { sent: BreakerRecord; events: BreakerEvent[] }>();
  /** Services with outcomes kept through a failed write and not written since. */
  #kept = new Set<string>();
  /** The last write found the store itself gone (not one service's row refused): every write waits RETRY_MS. */
  #storeDown = false;
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
          const ticked = await this.#update(record.service_name, (r) => this.#applyAll(r, [{ type: 'tick', at: now }]));
          // Time moves it again at the next refresh: nothing is lost by leaving it.
          if (typeof ticked === 'object') this.#log.warn('could not save a breaker', { service: record.service_name, error: errorMessage(ticked.error) });
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

  /** The services whose breaker lets none of their jobs start now, each with what it waits for (breakerHold). */
  holds(now: Date): Map<string, BreakerHold> {
    const holds = new Map<string, BreakerHold>();
    for (const [service, record] of this.#cache) {
      const hold = breakerHold(record, this.#effective(service), now);
      if (hold) holds.set(service, hold);
    }
    return holds;
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
    if (saved !== 'saved') this.#log.warn('could not take probe slots on a breaker', { service, error: typeof saved === 'object' ? errorMessage(saved.error) : saved === 'outrun' ? 'other workers saved it first on every try' : 'an earlier save is not settled yet' });
    return saved === 'saved' ? granted : 0;
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
    this.#pending.set(service, this.#kept.has(service) ? this.#bounded(service, events) : events);
    const cached = this.#cache.get(service);
    const calm = outcome === 'success' && (cached === undefined || cached.state === 'closed');
    // While the store is not taking outcomes, the next try waits its turn rather than following every job;
    // one service whose row the store refuses slows only its own.
    this.#schedule(this.#storeDown || this.#kept.has(service) ? RETRY_MS : calm ? CALM_MS : URGENT_MS);
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

  /** Stops its timers; outcomes the store never took are told of, for they go with the process. */
  close(): void {
    const unwritten = [...this.#pending.values(), ...[...this.#unsure.values()].map((u) => u.events)].reduce((n, events) => n + outcomesIn(events), 0);
    if (unwritten > 0) this.#log.warn('breaker outcomes not written: the store did not take them before this worker stopped', { outcomes: unwritten });
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = null;
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    const due = Date.now() + delayMs;
    if (due >= this.#dueAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#dueAt = due;
    this.#timer = setTimeout(() => void this.flush(), delayMs);
  }

  /**
   * Writes each service's outcomes in the order they came. What the store does not take is kept, ahead of
   * outcomes recorded since, and tried again every RETRY_MS: an outage must not cost a breaker the failures
   * that should open it. Once a write finds the store itself gone, the others of the round are kept
   * untried rather than each waiting out the same failure; a failure of one service's write alone (its
   * row locked past the answer timeout, say) keeps only that service's outcomes, and the round goes on.
   */
  async #writePending(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    let failure: unknown = null;
    const untaken: string[] = [];
    // A service whose last save may not have landed is looked at even with nothing new to write.
    for (const service of this.#unsure.keys()) if (!pending.has(service)) pending.set(service, []);
    let storeDown = false;
    for (const [service, recorded] of pending) {
      if (storeDown) {
        this.#keep(service, recorded);
        untaken.push(service);
        continue;
      }
      const { update, events, outcomes } = await this.#writeOutcomes(service, recorded);
      if (update === 'saved') {
        if (this.#kept.delete(service)) this.#log.info('wrote breaker outcomes kept while the store did not take them', { service, outcomes });
      } else if (update === 'outrun') {
        this.#keep(service, events);
        this.#log.warn('other workers saved a breaker first on every try: its outcomes are kept for the next write', { service });
      } else if (update === 'unsettled') {
        this.#keep(service, events);
      } else {
        failure = update.error;
        storeDown = storeGone(update.error);
        if (update.sent) {
          this.#unsure.set(service, { sent: update.sent, events });
          this.#kept.add(service);
        } else this.#keep(service, events);
        untaken.push(service);
      }
    }
    this.#storeDown = storeDown;
    if (failure !== null) this.#log.warn('could not record breaker outcomes: kept until the store answers', { services: untaken, error: errorMessage(failure) });
    if (this.#kept.size > 0) this.#schedule(RETRY_MS);
  }

  /**
   * One service's outcomes, after those of a save that may not have landed (settleUnsure); `outcomes` counts
   * both, written now or found written.
   */
  async #writeOutcomes(service: string, recorded: BreakerEvent[]): Promise<{ update: Update; events: BreakerEvent[]; outcomes: number }> {
    const outcomes = outcomesIn(this.#unsure.get(service)?.events ?? []) + outcomesIn(recorded);
    let events = recorded;
    try {
      events = [...(await this.#settleUnsure(service)), ...recorded];
    } catch (error) {
      return { update: { error, sent: null }, events, outcomes };
    }
    return { update: await this.#update(service, (r) => this.#applyAll(r, events)), events, outcomes };
  }

  /**
   * A save that failed without an answer may have landed. The store holding exactly the record it sent says
   * it did, and its outcomes are written; anything else and they are returned, to be written before what
   * came after them. (Had another worker saved the breaker on top of it before this look, they are written
   * again: counted twice, never lost.) Only the writes of outcomes, one at a time, look.
   */
  async #settleUnsure(service: string): Promise<BreakerEvent[]> {
    const unsure = this.#unsure.get(service);
    if (!unsure) return [];
    const stored = await this.#store.getBreaker(service);
    this.#unsure.delete(service);
    if (stored) this.#cache.set(service, stored);
    else this.#cache.delete(service);
    return stored !== null && sameRecord(stored, unsure.sent) ? [] : unsure.events;
  }

  /** Outcomes the store did not take, back ahead of those recorded since, within the bound. */
  #keep(service: string, events: BreakerEvent[]): void {
    this.#kept.add(service);
    this.#pending.set(service, this.#bounded(service, [...events, ...(this.#pending.get(service) ?? [])]));
  }

  #bounded(service: string, events: BreakerEvent[]): BreakerEvent[] {
    const { events: bounded, folded } = foldOldest(events);
    if (folded > 0) this.#log.warn('more breaker outcomes wait to be written than are kept one by one: the oldest were folded into counts', { service, folded, kept_most: KEPT_MOST });
    return bounded;
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

  /** Read-modify-write with the version as the fence; 'saved' also when nothing needed saving. */
  async #update(
    service: string,
    change: (record: BreakerRecord) => { record: BreakerRecord; transitions: BreakerTransition[] },
  ): Promise<Update> {
    // Another change first would move the record on, and hide whether that save landed: the next write of
    // outcomes settles it, within RETRY_MS, and a tick or a probe slot can wait that long.
    if (this.#unsure.has(service)) return 'unsettled';
    let sent: BreakerRecord | null = null;
    try {
      let current: BreakerRecord =
        this.#cache.get(service) ?? (await this.#store.getBreaker(service)) ?? newBreakerRecord(service, new Date());
      for (let i = 0; i < SAVE_TRIES; i++) {
        const { record, transitions } = change(current);
        if (record === current) return 'saved';
        const toSave = { ...record, version: current.version + 1 };
        const transition = combine(transitions);
        sent = toSave;
        const landed = await this.#store.saveBreaker(toSave, transition);
        sent = null;
        if (landed) {
          this.#saved(current, toSave, transition);
          return 'saved';
        }
        current = (await this.#store.getBreaker(service)) ?? newBreakerRecord(service, new Date());
        this.#cache.set(service, current);
      }
      return 'outrun';
    } catch (error) {
      return { error, sent };
    }
  }

  #saved(before: BreakerRecord, saved: BreakerRecord, transition: BreakerTransition | null): void {
    const service = saved.service_name;
    this.#cache.set(service, saved);
    if (saved.state !== before.state) this.#scheduleDeadline();
    // A probe slot freed (a probe that ended without a verdict) moves the gates as a new state does.
    const now = new Date();
    const config = this.#effective(service);
    if (saved.state !== before.state || dispatchAllowance(saved, config, now) !== dispatchAllowance(before, config, now)) this.#changed();
    if (transition) {
      this.#log[transition.to === 'open' ? 'warn' : 'info'](`breaker ${transition.from} → ${transition.to}`, { service, reason: transition.reason });
      this.#emitter.emit('breaker', { service, state: saved.state, mode: saved.mode, reason: transition.reason });
    }
  }
}

/** Outcomes in a list of events, a counted one as its count. */
function outcomesIn(events: BreakerEvent[]): number {
  return events.reduce((n, e) => n + ('count' in e && e.count !== undefined ? e.count : 1), 0);
}

/**
 * Free text the store may store other than it was sent (PostgreSQL cuts NUL, and turns a lone surrogate of
 * an error cut mid-pair into U+FFFD): no evidence either way of whether a save landed.
 */
const STORED_AS_TEXT = new Set<keyof BreakerRecord>(['last_error', 'mode_reason', 'mode_set_by']);

/** Every field the keeper computes the same, the version included: the store holds this save. */
function sameRecord(a: BreakerRecord, b: BreakerRecord): boolean {
  return BreakerRecord.keyof().options.every((key) => STORED_AS_TEXT.has(key) || a[key] === b[key]);
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

/** A failure of the store as a whole (unreachable, not answering), as against one statement refused. */
function storeGone(error: unknown): boolean {
  return error instanceof StoreError && (error.code === 'unreachable' || error.code === 'unavailable');
}
