import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pkg from '../../package.json' with { type: 'json' };
import type { ControlState, ExecutionType, WorkerState } from '../../shared/domain.ts';
import { effectiveBreaker, type Registry } from '../../shared/registry.ts';
import { createRunners } from '../runners/registry.ts';
import type { Runner } from '../runners/runner.ts';
import type { Store, StoreSignal } from '../store/store.ts';
import { BreakerKeeper } from './breakerKeeper.ts';
import { ControlWatcher } from './control.ts';
import { DRAIN_CHECK_MS, endDrainIfDue } from './drainDeadline.ts';
import { duePending } from './duePending.ts';
import type { RegistrySource } from './dispatcherOptions.ts';
import { Dispatcher } from './dispatcher.ts';
import type { EngineEventName, EngineEvents } from './engineEvents.ts';
import { EngineEmitter } from './engineEvents.ts';
import { Maintainer } from './maintainer.ts';
import { HeartbeatUsage } from './heartbeatUsage.ts';
import { runningRegistry } from './runningRegistry.ts';
import { CannotRunCheck } from './cannotRun.ts';
import { within } from '../runners/within.ts';
import { shortDigest } from '../../shared/workerRegistry.ts';
import { JobLog } from './jobLog.ts';
import { quietLog } from './quietLog.ts';
import { extendEveryMs } from './leaseExtension.ts';
import { reclaimGraceMs, StoreContact } from './storeContact.ts';
import { Watchdog } from './watchdog.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import { Scheduler } from './scheduler.ts';
import { ServicePauses } from './servicePauses.ts';
import { errorMessage } from '../runners/result.ts';
import { Wakeup } from './wakeup.ts';

export type { EngineEvents, EngineEventName } from './engineEvents.ts';
export type { RegistrySource } from './dispatcherOptions.ts';

export interface EngineOptions {
  store: Store;
  /** The service registry; a RegistryHolder, read afresh for every job so a reload applies at once. */
  registry: RegistrySource;
  /** Default: every built-in runner. A claimed job whose kind has no runner fails as a configuration error. */
  runners?: Map<ExecutionType, Runner>;
  workerId?: string;
  /** `opsdeck worker --name`: kept with the worker, and the start of its id (`watchdog-1942f8c8`). */
  workerName?: string | null;
  concurrency?: number;
  queues?: string[] | null;
  env?: Record<string, string | undefined>;
  leaseMs?: number;
  pollMs?: number;
  /** Where the engine says what it does: warnings and errors, each job's life at debug. Default: nothing. */
  log?: Logger;
  /** Keep the store to the registry's retention in the background (default true); one process at a time does. */
  maintenance?: boolean;
  /** Fire the store's schedules (default true); every worker does, and each fire still makes one job. */
  schedules?: boolean;
  /** How often the scheduler looks for due schedules (default 500 ms). */
  scheduleTickMs?: number;
  /** How often the worker looks again at what it cannot run (default CANNOT_RUN_CHECK_MS, 30 s). */
  cannotRunCheckMs?: number;
}

const HEARTBEAT_MS = 2000;
const BREAKER_REFRESH_MS = 2000;
const CANCEL_POLL_MS = 1000;
const CONTROL_POLL_MS = 250;
/**
 * How long a start waits for its first look at what it cannot run before claiming: enough for the variables,
 * the programs and a Docker daemon that answers; a daemon or an AWS lookup that hangs is not waited out.
 */
const FIRST_CHECK_WAIT_MS = 2000;

/**
 * One worker: registers itself, follows the control plane, dispatches jobs, keeps its leases alive,
 * takes back jobs of dead workers (the watchdog), and keeps the shared circuit breakers current.
 * Headless: hosts (desktop, server, CLI worker) construct it and forward its events.
 */
export class Engine {
  readonly workerId: string;
  readonly workerName: string | null;
  readonly #store: Store;
  readonly #emitter: EngineEmitter;
  readonly #breakers: BreakerKeeper;
  readonly #pauses: ServicePauses;
  readonly #dispatcher: Dispatcher;
  readonly #control: ControlWatcher;
  readonly #maintainer: Maintainer | null;
  readonly #log: Logger;
  readonly #runners: Map<ExecutionType, Runner>;
  readonly #env: Record<string, string | undefined>;
  /** What this worker cannot run, looked at on its heartbeat; its claims leave out what it declines. */
  readonly #cannotRun: CannotRunCheck;
  readonly #scheduler: Scheduler | null;
  readonly #concurrency: number;
  readonly #queues: string[] | null;
  readonly #leaseMs: number;
  readonly #registry: RegistrySource;
  /** Whether the store answers this worker: after an outage its watchdog waits before taking others' leases. */
  readonly #contact: StoreContact;
  readonly #watchdog: Watchdog;
  /** The registry whose services this worker last declared to the store; a reload declares them again. */
  #declaredFor: Registry | null = null;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: (() => void) | null = null;
  /** Stops following the registry's reloads. */
  #offReload: (() => void) | null = null;
  #started: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;
  #safeMode = false;
  #emergency = false;
  #workerState: WorkerState = 'running';
  #lastCancelCheck = 0;
  #breakerRefreshQueued = false;
  readonly #usage = new HeartbeatUsage();
  #lastHeartbeat: Date | null = null;
  /** A breaker moved: a worker run until empty that waits on one looks again. */
  readonly #breakersMoved = new Wakeup();

  constructor(opts: EngineOptions) {
    this.workerName = opts.workerName ?? null;
    // A named worker's id starts with its name, so its log lines and the jobs it holds say it; host and pid are kept beside.
    this.workerId = opts.workerId ?? `${this.workerName ?? `${os.hostname()}-${process.pid}`}-${randomUUID().slice(0, 8)}`;
    this.#store = opts.store;
    const logger = (opts.log ?? silentLogger).child({ worker: this.workerId });
    this.#log = quietLog(logger);
    this.#runners = opts.runners ?? createRunners({ killGraceMs: 500 });
    this.#env = opts.env ?? process.env;
    this.#concurrency = Math.max(1, Math.floor(opts.concurrency ?? 10));
    this.#queues = opts.queues && opts.queues.length > 0 ? opts.queues : null;
    this.#leaseMs = Math.max(200, opts.leaseMs ?? 30_000);
    const pollMs = Math.max(5, opts.pollMs ?? 250);
    this.#emitter = new EngineEmitter(this.#log);
    const registry = opts.registry;
    this.#registry = registry;
    this.#cannotRun = new CannotRunCheck({
      registry,
      runners: this.#runners,
      env: this.#env,
      log: logger,
      everyMs: opts.cannotRunCheckMs,
      declinedChanged: () => this.#dispatcher.declinedChanged(),
    });
    this.#breakers = new BreakerKeeper({
      store: this.#store,
      config: (service) => effectiveBreaker(registry.service(service)),
      emitter: this.#emitter,
      log: this.#log,
      changed: () => {
        this.#dispatcher.gatesChanged();
        this.#breakersMoved.wake();
      },
    });
    this.#pauses = new ServicePauses(this.#store, this.#log);
    const extendEvery = extendEveryMs(this.#leaseMs);
    this.#contact = new StoreContact({ graceMs: reclaimGraceMs(extendEvery), lapseMs: extendEvery, log: this.#log });
    this.#dispatcher = new Dispatcher({
      store: this.#store,
      registry,
      runners: this.#runners,
      breakers: this.#breakers,
      pauses: this.#pauses,
      emitter: this.#emitter,
      workerId: this.workerId,
      concurrency: this.#concurrency,
      queues: this.#queues,
      env: this.#env,
      leaseMs: this.#leaseMs,
      pollMs,
      log: this.#log,
      jobs: new JobLog(logger),
      contact: this.#contact,
      declined: (r) => this.#cannotRun.declined(r),
      daemonAway: (s) => this.#cannotRun.daemonAway(s),
      runFoundAway: (s, words) => {
        this.#cannotRun.runFoundAway(s, words);
        this.#lookAtWhatItCannotRun(false);
      },
    });
    this.#watchdog = new Watchdog({ store: this.#store, log: this.#log, contact: this.#contact, workerId: this.workerId, dispatcher: this.#dispatcher, emitter: this.#emitter });
    this.#maintainer =
      opts.maintenance === false ? null : new Maintainer({ store: this.#store, registry, owner: this.workerId, log: this.#log });
    this.#scheduler =
      opts.schedules === false
        ? null
        : new Scheduler({ store: this.#store, registry, workerId: this.workerId, emitter: this.#emitter, log: this.#log, tickMs: opts.scheduleTickMs });
    this.#control = new ControlWatcher({
      store: this.#store,
      pollMs: Math.min(CONTROL_POLL_MS, pollMs),
      onState: (state, changed) => this.#onControl(state, changed),
      log: this.#log,
    });
  }

  on<E extends EngineEventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    return this.#emitter.on(event, listener);
  }

  /** The services its claims leave out now, every job of them failing here (CannotRunCheck.declined). */
  declinedServices(): string[] {
    return this.#cannotRun.declined(this.#registry.registry);
  }

  /** When this worker's heartbeat last reached the store; null before the first. */
  get lastHeartbeat(): Date | null {
    return this.#lastHeartbeat;
  }

  inFlight(): Array<{ jobId: number; service: string; kind: ExecutionType; startedAt: Date }> {
    return this.#dispatcher.inFlight();
  }

  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    this.#unsubscribe = this.#store.subscribe((signal) => this.#onSignal(signal));
    // Two chains side by side: one after another, these round trips were most of a worker's time to
    // its first claim. Not more: each chain holds a connection, and a new connection costs a round trip's
    // worth many times over.
    const steps = await Promise.allSettled([this.#register(), this.#readGates(), within(this.#cannotRun.check(), FIRST_CHECK_WAIT_MS)]);
    const failed = steps.find((step) => step.status === 'rejected');
    if (failed) {
      this.#control.stop();
      this.#unsubscribe();
      this.#unsubscribe = null;
      throw failed.reason;
    }
    this.#dispatcher.start();
    // A reload changes what the claims leave out at once (the variables); a look says the rest without waiting for a heartbeat.
    this.#offReload =
      this.#registry.onChange?.(() => {
        this.#dispatcher.declinedChanged();
        this.#lookAtWhatItCannotRun(false);
      }) ?? null;
    const watchdogMs = Math.min(5000, Math.max(250, Math.floor(this.#leaseMs / 2)));
    this.#every(HEARTBEAT_MS, () => this.#heartbeat());
    this.#every(extendEveryMs(this.#leaseMs), () => this.#dispatcher.extendLeases());
    this.#every(watchdogMs, () => this.#watchdog.run());
    this.#every(BREAKER_REFRESH_MS, () => this.#breakers.refresh());
    this.#every(BREAKER_REFRESH_MS, () => this.#refreshPauses());
    this.#every(CANCEL_POLL_MS, () => this.#checkCancels());
    this.#every(DRAIN_CHECK_MS, async () => {
      if (await endDrainIfDue(this.#store, this.#control.state, this.#log)) await this.#control.refresh();
    });
    this.#maintainer?.start();
    this.#scheduler?.start();
    this.#emitWorker();
    // Where it points, at once: a store or registry other than meant (a default store taken for want of --db) shows here.
    const running = runningRegistry(this.#registry);
    this.#log.info('worker started', {
      store: this.#store.location,
      registry: this.#registry.path ?? 'none',
      ...(running ? { registry_digest: shortDigest(running.digest) } : {}),
      concurrency: this.#concurrency,
      queues: this.#queues ?? 'all',
    });
  }

  /**
   * Looks again at what this worker cannot run (CannotRunCheck), in the background: a heartbeat never waits
   * on a Docker daemon. `whenDue` false: a registry took, whose record must not wait for a look under way.
   */
  #lookAtWhatItCannotRun(whenDue = true): void {
    if (this.#workerState === 'stopped' || this.#stopping !== null || (whenDue && !this.#cannotRun.due())) return;
    void this.#cannotRun.check();
  }

  async #register(): Promise<void> {
    await this.#registerWorker();
    // Jobs a dead worker left running come back before the first claim, so a worker started with
    // --until-empty runs them too instead of stopping beside them until some other watchdog fires.
    await this.#watchdog.run().catch((error: unknown) => this.#log.warn('could not take back expired leases', { error: errorMessage(error) }));
  }

  async #registerWorker(): Promise<void> {
    const registry = this.#registry.registry;
    await this.#store.registerWorker({
      id: this.workerId,
      name: this.workerName,
      host: os.hostname(),
      pid: process.pid,
      version: pkg.version,
      concurrency: this.#concurrency,
      queues: this.#queues,
      services: serviceNames(registry),
      registry: runningRegistry(this.#registry),
    });
    this.#declaredFor = registry;
  }

  /** What the dispatcher asks before it claims: breakers, paused services, the control plane. */
  async #readGates(): Promise<void> {
    await this.#breakers.refresh();
    await this.#pauses.refresh();
    await this.#control.start();
  }

  /** Drains for up to `graceMs` (default 10 s), interrupts what is left, and marks the worker stopped. */
  stop(opts: { graceMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#stop(opts.graceMs ?? 10_000);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    if (!this.#started) return;
    await this.#started.catch(() => undefined);
    this.#workerState = 'draining';
    this.#dispatcher.setGate(false);
    this.#breakersMoved.wake();
    // Not awaited before draining starts, but before the worker reports itself stopped: on a store short
    // of connections it may still wait for one, and must not outlive the pool.
    const saidDraining = this.#heartbeat();
    this.#emitWorker();
    await this.#dispatcher.stop(graceMs);
    await this.#maintainer?.stop();
    await this.#scheduler?.stop();
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#control.stop();
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#offReload?.();
    this.#offReload = null;
    await this.#breakers.flush();
    this.#breakers.close();
    await saidDraining;
    this.#workerState = 'stopped';
    await this.#heartbeat();
    this.#emitWorker();
    this.#log.info('worker stopped');
  }

  /**
   * Runs until no pending job is runnable now and nothing is in flight. Later retries and jobs held by a
   * rate limit, a paused queue, the control plane or a breaker do not count, except a breaker that holds
   * due jobs only until its store hears of a move (a probe's verdict, a recovery timeout passed): that
   * is waited for. With `throughRecovery`, so is a breaker that tripped, until its first probe's verdict
   * (breakerHold: `recovering`). Starts the engine if needed and, if it started it, stops it again.
   */
  async runUntilEmpty(opts: { throughRecovery?: boolean } = {}): Promise<void> {
    const owner = this.#started === null;
    await this.start();
    // What the schedules fire as the worker starts is due now: a worker run until empty runs it too, rather
    // than stopping beside it when its first claim came back empty before the fire.
    await this.#scheduler?.settled();
    for (;;) {
      await this.#dispatcher.whenIdle();
      if (this.#stopping || !(await this.#heldByBreakerForNow(opts.throughRecovery === true))) break;
      // A move wakes this at once; the periodic refresh bounds the wait, for a move that changes no gate
      // (another worker's probe failed: from half-open to open, its jobs held all along).
      await this.#breakersMoved.wait(BREAKER_REFRESH_MS);
    }
    if (owner) await this.stop({ graceMs: 0 });
  }

  /**
   * Whether due jobs this worker would run wait on a breaker that lets them go by itself: one that moves
   * as soon as its store hears of it, or with `throughRecovery` one recovering before its first probe.
   */
  async #heldByBreakerForNow(throughRecovery: boolean): Promise<boolean> {
    if (this.#safeMode || this.#emergency) return false;
    const waited = [...this.#breakers.holds(new Date())]
      .filter(([service, hold]) => (hold === 'moving' || (throughRecovery && hold === 'recovering')) && this.#registry.service(service) !== undefined)
      .map(([service]) => service);
    try {
      for (const service of waited) if ((await duePending(this.#store, this.#queues, service)) > 0) return true;
    } catch (error) {
      this.#log.warn('could not count the jobs a circuit breaker holds; stopping beside them', { error: errorMessage(error) });
    }
    return false;
  }

  #onControl(state: ControlState, changed: boolean): void {
    this.#emergency = state.emergency_stop.engaged;
    this.#safeMode = state.safe_mode.engaged;
    if (this.#emergency) {
      const n = this.#dispatcher.interruptAll('emergency_stop');
      if (n > 0) this.#log.warn('emergency stop: interrupting running jobs', { jobs: n });
    }
    this.#dispatcher.setGate(!this.#emergency && !this.#safeMode && this.#stopping === null);
    if (!changed) return;
    // A queue resumed (or anything else the control plane holds let go): its jobs are claimable now.
    this.#dispatcher.gatesChanged();
    this.#emitter.emit('control', state);
    // Held, not draining: the worker is not stopping, and takes jobs again once released.
    const next: WorkerState = this.#stopping ? this.#workerState : this.#safeMode || this.#emergency ? 'held' : 'running';
    if (next !== this.#workerState) {
      this.#workerState = next;
      void this.#heartbeat();
      this.#emitWorker();
    }
  }

  #onSignal(signal: StoreSignal): void {
    switch (signal) {
      case 'control':
        void this.#control.refresh();
        this.#refreshPauses().catch((error: unknown) =>
          this.#log.warn('engine: could not read the paused services', { error: error instanceof Error ? error.message : String(error) }),
        );
        break;
      case 'breakers':
        if (this.#breakerRefreshQueued) break;
        this.#breakerRefreshQueued = true;
        setTimeout(() => {
          this.#breakerRefreshQueued = false;
          void this.#breakers.refresh();
        }, 20);
        break;
      case 'ready':
        this.#dispatcher.wake();
        break;
      case 'jobs':
        this.#dispatcher.jobsChanged();
        if (Date.now() - this.#lastCancelCheck > 250) void this.#checkCancels();
        break;
      case 'workers':
        break;
    }
  }

  /** A pause that ended lets its service's jobs be claimed again: wake the dispatcher for them. */
  async #refreshPauses(): Promise<void> {
    if (await this.#pauses.refresh()) this.#dispatcher.gatesChanged();
  }

  async #checkCancels(): Promise<void> {
    this.#lastCancelCheck = Date.now();
    try {
      await this.#dispatcher.checkCancels();
    } catch (error) {
      this.#log.warn('could not look for cancelled jobs', { error: errorMessage(error) });
    }
  }

  async #heartbeat(): Promise<void> {
    const sentAt = Date.now();
    try {
      const registry = this.#registry.registry;
      const reloaded = registry !== this.#declaredFor;
      const services = reloaded ? serviceNames(registry) : undefined;
      const declared = reloaded ? (runningRegistry(this.#registry) ?? undefined) : undefined;
      const usage = this.#usage.take(this.#store);
      const cannotRun = this.#cannotRun.unwritten();
      const known = await this.#store.heartbeat(this.workerId, { inFlight: this.#dispatcher.executing, state: this.#workerState, services, usage, registry: declared, cannotRun });
      if (known) this.#declaredFor = registry;
      if (known) this.#usage.sent(usage);
      if (known && cannotRun) this.#cannotRun.written(cannotRun);
      this.#lookAtWhatItCannotRun();
      // Forgotten while it ran (a pause taken for its death, then `workers forget`): it must not go on
      // running jobs where no list of workers shows it.
      if (!known && this.#workerState !== 'stopped') {
        await this.#registerWorker();
        this.#cannotRun.rewrite();
        this.#log.warn('this worker had been forgotten while it still ran (opsdeck workers forget); registered again');
      }
      this.#lastHeartbeat = new Date();
      this.#contact.answered();
    } catch (error) {
      this.#contact.failed(error, sentAt);
      this.#log.error('heartbeat failed', { error: errorMessage(error) });
    }
  }

  #emitWorker(): void {
    this.#emitter.emit('worker', { id: this.workerId, state: this.#workerState, in_flight: this.#dispatcher.executing });
  }

  /** A periodic task that never overlaps itself and never throws into the timer. */
  #every(ms: number, task: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      task()
        .catch((error: unknown) => this.#log.warn('a periodic task failed', { error: errorMessage(error) }))
        .finally(() => {
          busy = false;
        });
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }
}

/** The services a worker can run: those its registry names. */
function serviceNames(registry: Registry): string[] {
  return registry.services.map((s) => s.name).sort();
}
