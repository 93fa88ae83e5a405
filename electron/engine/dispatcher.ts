import type { ExecutionType } from '../../shared/domain.ts';
import type { ClaimedJob, Settlement } from '../store/store.ts';
import { runAttempt, sweepDeadlines } from './attempt.ts';
import { runningRegistry, withRegistry } from './runningRegistry.ts';
import { claimScope, heldByRunning } from './claimScope.ts';
import { ClaimSizer } from './claimSizer.ts';
import { breakerOutcome, classify } from './classify.ts';
import { serviceSecrets, withoutSecrets } from './jobSecrets.ts';
import { giveUpLease, markStarted, newRunning, ranFor, type InterruptCause, type Running } from './running.ts';
import { HeldFirst } from './heldFirst.ts';
import { handBackStrays, StrayWatch } from './strays.ts';
import { Wakeup } from './wakeup.ts';
import { ResultRecorder } from './resultRecorder.ts';
import { ForeignServices } from './foreignServices.ts';
import { IdleWatch } from './idleWatch.ts';
import { Waiters } from './waiters.ts';
import { errorMessage } from '../runners/result.ts';
import { BREAKER_OPEN, gatesAt, leftOut, pastTheBreaker, underRegistryInUse, whyNotStart, type AheadGates } from './claimedAheadScreen.ts';
import type { DispatcherOptions } from './dispatcherOptions.ts';

/**
 * The hot path: claims runnable jobs in batches (the free slots, plus about a second of work ahead when
 * jobs are short), runs each with its runner under a per-attempt timeout, and settles results in batches.
 * Store round trips are one claim per batch and one settle per batch, never one per job. While claims
 * come back full it claims again as soon as room frees; only an empty or partial claim makes it wait
 * (for a store signal, or the poll interval).
 */
export class Dispatcher {
  #executing = new Map<number, Running>();
  /** Claimed ahead of a free slot (short jobs only, see ClaimSizer): leased, not started. */
  #buffer = new Map<number, Running>();
  #gateOpen = false;
  #stopped = false;
  #waitingForSlot = false;
  #loop: Promise<void> | null = null;
  #wakeup = new Wakeup();
  readonly #idle = new IdleWatch();
  #finishWaiters = new Waiters();
  #claimFailing = false;
  /** The last claim came back short: nothing more is runnable until a signal or the poll interval. */
  #queueDry = false;
  /** The last claim was held back by how many jobs of a service run (claimScope.ts, heldByRunning). */
  #heldByRunning = false;
  #foreign = new ForeignServices();
  /** A claim is under way: one at a time (see #run). */
  #claiming = false;
  /** Jobs a claim leased whose answer never came (strays.ts). */
  readonly #strays = new StrayWatch();
  #pumping = false;
  #stopDeadlineSweep: (() => void) | null = null;
  /** Finished attempts until their settle lands. */
  readonly #results: ResultRecorder;
  /** Its leases and results, landed before it claims again once the store answers again. */
  readonly #held: HeldFirst;
  readonly #sizer: ClaimSizer;
  readonly #opts: DispatcherOptions;

  constructor(opts: DispatcherOptions) {
    this.#opts = opts;
    this.#sizer = new ClaimSizer(opts.concurrency);
    this.#results = new ResultRecorder(opts, this.#idle, this.#wakeup);
    const holdings = { executing: this.#executing, buffer: this.#buffer, results: this.#results, wake: () => this.#wakeup.wake() };
    this.#held = new HeldFirst(opts, { ...holdings, releaseBuffered: (reason) => this.releaseBuffered(reason) });
  }

  start(): void {
    this.#loop ??= this.#run();
    this.#stopDeadlineSweep ??= sweepDeadlines(() => this.#executing.values());
  }

  /** Open while neither the emergency stop, safe mode nor a shutdown holds dispatch. */
  setGate(open: boolean): void {
    if (this.#gateOpen === open) return;
    this.#gateOpen = open;
    if (!open) this.releaseBuffered('dispatch stopped');
    this.#wakeup.wake();
  }

  /** Something may have made work available: a job was added or released (gatesChanged for a gate). */
  wake(): void {
    this.#wakeup.wake();
  }

  /**
   * What claims may take changed (a breaker moved, a pause ended, the control plane let go): a claim under
   * way when it changed asked with the old gates, so it no longer says the queue is empty.
   */
  gatesChanged(): void {
    this.#idle.changed();
    this.#wakeup.wake();
  }

  /**
   * What this worker leaves out of its claims changed (a look found a Docker daemon away, a reload took):
   * jobs claimed ahead of a free slot go back unstarted at once when it now leaves them out or its registry
   * names their service no more, rather than stay leased here, shown running, until a slot frees while a
   * worker that can run them sits idle; the rest take their settings in the registry in use as they start
   * (#pump). Then the claims go by the new list.
   */
  declinedChanged(): void {
    if (this.#buffer.size > 0) {
      const back = leftOut(this.#buffer.values(), this.#gates(new Date()));
      // All out of the buffer first: each release pumps, which would start the rest.
      for (const { running } of back) this.#buffer.delete(running.job.id);
      for (const { running, reason } of back) this.#release(running, reason);
    }
    this.gatesChanged();
  }

  /**
   * Jobs changed somewhere without any becoming claimable: a finished job still frees room under a
   * service's concurrency or max_concurrent, so a claim those held back is tried again now.
   */
  jobsChanged(): void {
    if (this.#heldByRunning) this.#wakeup.wake();
  }

  inFlight(): Array<{ jobId: number; service: string; kind: ExecutionType; startedAt: Date }> {
    return [...this.#executing.values()].map((r) => ({
      jobId: r.job.id,
      service: r.job.service_name,
      kind: r.service?.execution_type ?? r.job.execution_type,
      startedAt: r.startedAt,
    }));
  }

  get executing(): number {
    return this.#executing.size;
  }

  interruptAll(cause: InterruptCause): number {
    this.releaseBuffered(cause === 'emergency_stop' ? 'emergency stop' : 'worker shutdown');
    let n = 0;
    for (const running of this.#executing.values()) {
      if (running.controller.signal.aborted) continue;
      running.cause = cause;
      running.controller.abort('interrupt');
      n++;
    }
    return n;
  }

  /** Hands claimed-but-unstarted jobs back to pending, attempt not spent. */
  releaseBuffered(reason: string): void {
    const buffered = [...this.#buffer.values()];
    this.#buffer.clear();
    for (const running of buffered) this.#release(running, reason);
  }

  cancel(jobIds: number[]): void {
    for (const id of jobIds) {
      const buffered = this.#buffer.get(id);
      if (!buffered) continue;
      this.#buffer.delete(id);
      this.#finishUnstarted(buffered, { ...this.#attemptKey(buffered), kind: 'cancelled', reason: 'cancelled by an operator', ran: false });
    }
    for (const id of jobIds) {
      const running = this.#executing.get(id);
      if (running && !running.controller.signal.aborted) running.controller.abort('cancel');
    }
  }

  /** Extends every lease this worker holds (leaseExtension.ts, through HeldFirst). */
  extendLeases(): Promise<void> {
    return this.#held.extend();
  }

  /**
   * The attempts this worker will settle itself: running here on a lease it has not given up, or finished
   * with their settle not landed yet while the store may come back (unreachable, or not yet tried). Its
   * watchdog leaves them to it, even once their leases ran out: it knows how each ended, and a reclaim would
   * record it lost and spend it. Once a settle fails for a reason that does not pass by itself, its
   * watchdog takes them back when their leases run out, as it would any other worker's: retried every
   * 500 ms, that settle might hold its jobs forever.
   */
  ownAttempts(): number[] {
    const running = [...this.#executing.values()].filter((r) => !r.leaseLost).map((r) => r.job.attempt_id);
    return [...running, ...this.#results.owned()];
  }

  async checkCancels(): Promise<void> {
    if (this.#executing.size === 0 && this.#buffer.size === 0) return;
    this.cancel(await this.#opts.store.cancelRequested(this.#opts.workerId));
  }

  /**
   * Once a claim begun after this call, the last settle and the last change of the gates found nothing, and
   * nothing runs or awaits its settle (or once stopped). A new epoch: a claim begun before may have missed a
   * job added since (a fire).
   */
  whenIdle(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#idle.changed();
    const idle = this.#idle.wait();
    this.#checkIdle();
    this.#wakeup.wake();
    return idle;
  }

  /** Stops claiming, lets running jobs finish for up to `graceMs`, interrupts the rest, records all. */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    this.#wakeup.wake();
    await this.#loop;
    this.releaseBuffered('worker shutdown');
    await this.#finishWaiters.waitUntil(() => this.#executing.size === 0, graceMs);
    // Waited for also when none was interrupted now: a job stopped earlier (the store unreachable) may still
    // be ending, and its result must reach the settler before it is drained, not after the store closed.
    this.interruptAll('shutdown');
    await this.#finishWaiters.waitUntil(() => this.#executing.size === 0, 10_000);
    for (const running of this.#executing.values()) {
      this.#opts.log.warn('a job did not stop when interrupted; its lease will expire', { job_id: running.job.id, service: running.job.service_name });
    }
    this.#stopDeadlineSweep?.();
    this.#stopDeadlineSweep = null;
    await this.#results.drain();
    this.#idle.release();
  }

  async #run(): Promise<void> {
    const { pollMs } = this.#opts;
    while (!this.#stopped) {
      if (!this.#gateOpen) {
        this.#idle.foundEmpty(this.#idle.epoch);
        this.#checkIdle();
        await this.#wakeup.wait(pollMs);
        continue;
      }
      if (this.#queueDry) {
        this.#queueDry = false;
        await this.#wakeup.wait(this.#claimFailing ? pollMs * 4 : pollMs);
        continue;
      }
      const limit = this.#claimLimit();
      if (limit <= 0) {
        this.#waitingForSlot = true;
        await this.#wakeup.wait(pollMs);
        this.#waitingForSlot = false;
        // Jobs finishing together wake this once: let the rest of them finish so one claim covers all.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const ready = this.#held.ready();
      if (typeof ready === 'boolean' ? ready : await ready) await this.#claimRound(limit);
      else await this.#wakeup.wait(pollMs * 4);
    }
  }

  /**
   * One claim round trip; the loop waits for it, so there is one claim at a time on either store. The
   * prefetch buffer keeps the slots fed while the store answers. A second claim beside it on PostgreSQL
   * would cost more than it saves: the two walk past each other's locked rows, and every pooled
   * connection pays for its own start (bench/README.md, "One claim and one settle at a time").
   */
  async #claimRound(limit: number): Promise<void> {
    const epoch = this.#idle.epoch;
    this.#claiming = true;
    try {
      const sentAt = Date.now();
      const leaseUntil = sentAt + this.#opts.leaseMs;
      let claimed: ClaimedJob[];
      try {
        claimed = await this.#claim(limit);
      } catch (error) {
        this.#opts.contact.failed(error, sentAt);
        if (!this.#claimFailing) this.#opts.log.warn('could not claim jobs', { error: errorMessage(error) });
        this.#claimFailing = true;
        this.#strays.claimFailed(Date.now());
        this.#queueDry = true;
        return;
      }
      this.#opts.contact.answered();
      this.#claimFailing = false;
      if (claimed.length > 0) this.#launch(claimed, leaseUntil);
      else this.#idle.foundEmpty(epoch);
      // Here, with no other claim under way: a claim answered meanwhile would lease jobs not known yet.
      if (this.#strays.due(Date.now())) {
        await handBackStrays({
          store: this.#opts.store,
          workerId: this.#opts.workerId,
          log: this.#opts.log,
          watch: this.#strays,
          held: () => [...[...this.#executing.values(), ...this.#buffer.values()].map((r) => r.job.attempt_id), ...this.#results.held()],
          handBack: (settlement) => this.#results.handBack(settlement),
        });
      }
      // Short means nothing more is runnable. A settle that put jobs back meanwhile (interrupted, retry
      // now, a workflow's next task) says so with the store's 'ready' signal, whose wake cuts the wait
      // short. One that only freed room under a service's cap says nothing the claim can still hear: its
      // 'jobs' signal may have come before this claim was known to be held back, so claim again.
      if (claimed.length < limit && !(this.#heldByRunning && epoch !== this.#idle.epoch)) this.#queueDry = true;
    } finally {
      this.#claiming = false;
      this.#checkIdle();
    }
  }

  /** How many to claim now (ClaimSizer). */
  #claimLimit(): number {
    return this.#sizer.limit(this.#executing.size, this.#buffer.size);
  }

  async #claim(limit: number): Promise<ClaimedJob[]> {
    const { store, registry, breakers, pauses, workerId, leaseMs, queues, concurrency } = this.#opts;
    const now = new Date();
    const free = concurrency - this.#executing.size - this.#buffer.size;
    const left = [...pauses.paused(now), ...this.#foreign.names(registry.registry), ...this.#opts.declined(registry.registry)];
    const scope = await claimScope(store, registry.registry, breakers, now, left, free);
    const sent = performance.now();
    const claimed = await store.claim({ workerId, limit, leaseMs, ...(queues ? { queues } : {}), ...scope.request });
    this.#heldByRunning = heldByRunning(scope, claimed);
    this.#opts.emitter.emit('claimed', { seconds: (performance.now() - sent) / 1000, count: claimed.length });
    this.#opts.jobs.claimed(claimed);
    return claimed;
  }

  #launch(claimed: ClaimedJob[], leaseUntil: number): void {
    this.#opts.emitter.emit('job', { ids: claimed.map((j) => j.id) });
    const now = new Date();
    // A claim under way when dispatch stopped (emergency stop, safe mode, shutdown) gives its jobs back
    // without starting them, attempt not spent.
    const dispatching = this.#gateOpen && !this.#stopped;
    // The registry in use now, not the one the claim left services out by: a reload that took while the
    // claim was answered makes a job run with its settings, which may read a variable this worker lacks.
    const gates = this.#gates(now);
    const gated = new Map<string, Running[]>();
    for (const job of claimed) {
      this.#supersede(job.id);
      const running = newRunning(job, this.#opts.registry.service(job.service_name), now, leaseUntil);
      if (!dispatching) {
        this.#release(running, 'dispatch stopped');
        continue;
      }
      const screened = underRegistryInUse(running, gates);
      if ('back' in screened) {
        this.#release(running, screened.back);
        continue;
      }
      const allowance = this.#opts.breakers.allowance(job.service_name, now);
      if (Number.isFinite(allowance)) {
        const group = gated.get(job.service_name) ?? [];
        group.push(running);
        gated.set(job.service_name, group);
      } else this.#buffer.set(job.id, running);
    }
    this.#pump();
    for (const [service, group] of gated) void this.#probe(service, group, now);
  }

  /** Starts buffered jobs while slots are free; one the worker must not start now goes back (claimedAheadScreen.ts). */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    const gates = this.#gates(new Date());
    for (const running of this.#buffer.values()) {
      if (this.#executing.size >= this.#opts.concurrency) break;
      this.#buffer.delete(running.job.id);
      const screened = whyNotStart(running, gates);
      if ('back' in screened) {
        this.#release(running, screened.back);
        continue;
      }
      // The registry in use as it starts, not the one it was claimed under: the one place a job claimed
      // ahead takes its settings, whatever reloaded since (declinedChanged only hands jobs back).
      running.service = screened.service;
      markStarted(running);
      this.#executing.set(running.job.id, running);
      void this.#execute(running);
    }
    this.#pumping = false;
    if (this.#waitingForSlot && this.#claimLimit() > 0) this.#wakeup.wake();
  }

  /**
   * This worker claimed a job it still thought it was running: the watchdog took the old attempt back
   * (this worker looked dead) and the job came round again. The old attempt is stopped and never settled.
   */
  #supersede(jobId: number): void {
    const old = this.#executing.get(jobId) ?? this.#buffer.get(jobId);
    if (!old) return;
    this.#buffer.delete(jobId);
    this.#executing.delete(jobId);
    this.#opts.log.warn('a job was taken back from this worker; stopping its old attempt', { job_id: jobId, service: old.job.service_name });
    giveUpLease(old);
  }

  /** Forgets a running entry, unless a newer attempt of the same job already took its place. */
  #untrack(running: Running): void {
    if (this.#executing.get(running.job.id) === running) this.#executing.delete(running.job.id);
  }

  #attemptKey(running: Running) {
    return { jobId: running.job.id, attemptId: running.job.attempt_id, workerId: this.#opts.workerId };
  }

  /** How this worker stands at `now`, for the screening of the jobs it claimed (claimedAheadScreen.ts). */
  #gates(now: Date): AheadGates {
    return gatesAt(this.#opts, this.#foreign, now);
  }

  #release(running: Running, reason: string): void {
    this.#finishUnstarted(running, { ...this.#attemptKey(running), kind: 'interrupted', reason, ran: false });
  }

  /** Ended before it started: its settings are the registry's in use as it goes back, as a start's are (#pump), not its claim's (the settled event's kind). */
  #finishUnstarted(running: Running, settlement: Settlement): void {
    running.service = this.#opts.registry.service(running.job.service_name);
    this.#finish(running, settlement);
  }

  /**
   * Jobs of a half-open (or, since the claim, opened) breaker: as many as the store grants probe slots
   * run as probes; the rest go back to pending at once, attempt not spent.
   */
  async #probe(service: string, group: Running[], now: Date): Promise<void> {
    // Held in executing meanwhile so leases are kept and the idle check waits for them; probes start at
    // once, a slot over the concurrency at worst, rather than queue behind prefetched jobs.
    for (const running of group) this.#executing.set(running.job.id, running);
    const allowance = this.#opts.breakers.allowance(service, now);
    const granted = allowance > 0 ? await this.#opts.breakers.reserveProbes(service, group.length, now) : 0;
    const gates = this.#gates(new Date());
    group.forEach((running, i) => {
      if (i < granted && !running.leaseLost) {
        running.probe = true;
        // An upstream's 429 paused its service, a look found its daemon away, or a reload took, while the
        // store granted the slot: the job goes back, and its settle frees the slot (a probe with no
        // verdict), for after the pause or a worker that can run it; the rest run with the registry in use.
        const screened = pastTheBreaker(running, gates);
        if ('back' in screened) {
          this.#untrack(running);
          this.#release(running, screened.back);
          return;
        }
        running.service = screened.service;
        markStarted(running);
        void this.#execute(running);
      } else {
        this.#untrack(running);
        this.#release(running, BREAKER_OPEN);
      }
    });
  }

  async #execute(running: Running): Promise<void> {
    // Before anything reads it: the error message feeds the fingerprint and the dead-letter groups.
    const ran = withoutSecrets(await runAttempt(running, this.#opts.runners, this.#opts.env), serviceSecrets(running.service, this.#opts.env));
    const result = withRegistry(ran, () => runningRegistry(this.#opts.registry));
    // Before the job is handed back (classify): claims leave its daemon out from now, or this worker would
    // claim it again, and hand it back again, until a look answered.
    if (result.lacksHere === true && result.error && running.service) {
      this.#opts.runFoundAway(running.service, result.error.message);
      this.#opts.log.warn('job handed back unrun: this worker cannot run its service now', { job_id: running.job.id, service: running.job.service_name, met: result.error.message });
    }
    const ranHere = result.unstarted !== true && result.lacksHere !== true;
    // A run that never started says nothing of how long jobs take: the claim sizer and the duration
    // metrics learn only from runs.
    if (ranHere) {
      running.runMs = ranFor(running);
      this.#sizer.observe(running.runMs);
    }
    const waitMs = result.error?.error_class === 'http_429' ? result.error.retry_after_ms : undefined;
    if (waitMs !== undefined && waitMs > 0) {
      void this.#opts.pauses.pause(running.job.service_name, waitMs, `the upstream answered 429 with Retry-After ${Math.ceil(waitMs / 1000)}s (job ${running.job.id})`);
    }
    if (running.leaseLost) {
      this.#strays.gaveUp(running.job.attempt_id);
      this.#untrack(running);
      this.#pump();
      this.#finishWaiters.release();
      return;
    }
    const settlement = classify({
      job: running.job,
      result,
      service: running.service,
      workerId: this.#opts.workerId,
      now: new Date(),
      runMs: running.runMs,
      ...(running.cause ? { interruptCause: running.cause } : {}),
      ...(running.unreachedForMs === null ? {} : { unreachedForMs: running.unreachedForMs }),
    });
    running.breakerVerdict = breakerOutcome(settlement, result);
    this.#finish(running, settlement);
  }

  #finish(running: Running, settlement: Settlement): void {
    this.#untrack(running);
    this.#results.add(running, settlement);
    this.#pump();
    this.#finishWaiters.release();
  }

  #checkIdle(): void {
    if (!this.#idle.waiting) return;
    // A claim under way may still bring jobs: nothing is idle until it has answered.
    const nothingHeld = this.#executing.size === 0 && this.#buffer.size === 0 && this.#results.quiet;
    this.#idle.check(nothingHeld && !this.#claiming);
  }
}
