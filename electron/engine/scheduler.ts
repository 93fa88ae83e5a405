import os from 'node:os';
import type { Registry } from '../../shared/registry.ts';
import type { StoredSchedule } from '../../shared/schedule.ts';
import type { DuePosition } from '../store/scheduleStore.ts';
import type { Store } from '../store/store.ts';
import type { RegistrySource } from './dispatcherOptions.ts';
import type { EngineEmitter } from './engineEvents.ts';
import { fireMaker, firePlan, missingTarget, registryScheduleWrites } from './schedulePlans.ts';
import type { Logger } from '../log/logger.ts';

export interface SchedulerOptions {
  store: Store;
  registry: RegistrySource;
  workerId: string;
  emitter: EngineEmitter;
  log: Logger;
  /** How often due schedules are looked for (default 500 ms: an every-second schedule fires within half a second). */
  tickMs?: number;
}

/** Due schedules read at once. */
const DUE_PAGE = 200;
/**
 * Pages one tick reads at most; the rest are next tick's. Schedules this worker cannot fire (a service
 * only other workers have) stay due at the front of the list, so a tick reads past them.
 */
const DUE_PAGES = 10;

export interface TickResult {
  fired: number;
  skipped: number;
}

/**
 * The scheduler of one worker. Every worker sharing a store runs one, and they share the work through the
 * store rather than each keeping timers: a tick reads the few schedules whose next fire is due (one indexed
 * read, never the history), works out their fires (shared/scheduleMath.ts) and hands each schedule's to the
 * store, which writes them in one transaction keyed by the fire, so a fire is one job however many workers
 * see it due. It also makes the registry's `schedules:` the store's whenever the registry it runs with changes.
 */
export class Scheduler {
  readonly #opts: SchedulerOptions;
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<unknown> | null = null;
  #synced: Registry | null = null;
  /** Schedules whose service or workflow this worker does not know, already logged: left for a worker that does. */
  readonly #unknown = new Set<string>();

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#run(), this.#opts.tickMs ?? 500);
    this.#timer.unref();
    void this.#run();
  }

  /** Once the tick under way (the one start() begins with) has fired what was due. */
  async settled(): Promise<void> {
    await this.#tick?.catch(() => undefined);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#tick?.catch(() => undefined);
  }

  async #run(): Promise<void> {
    if (this.#tick) return;
    this.#tick = this.tick().catch((error: unknown) =>
      this.#opts.log.error('schedules: a tick failed', { error: error instanceof Error ? error.message : String(error) }),
    );
    await this.#tick;
    this.#tick = null;
  }

  /**
   * Makes the registry's schedules the store's, once per registry loaded. A worker started without a
   * registry (no services, no schedules) leaves the registry's schedules as they are.
   */
  async syncRegistry(now = new Date()): Promise<void> {
    const registry = this.#opts.registry.registry;
    if (registry === this.#synced) return;
    if (registry.services.length === 0 && registry.schedules === undefined) return;
    const result = await this.#opts.store.syncRegistrySchedules(registryScheduleWrites(registry, now), { user: 'registry', host: os.hostname() });
    this.#synced = registry;
    const changed = [...result.added.map((n) => `+${n}`), ...result.updated.map((n) => `~${n}`), ...result.removed.map((n) => `-${n}`)];
    if (changed.length > 0) this.#opts.log.info('schedules: registry synced', { changed: changed.join(' ') });
  }

  /** One pass: fires what is due at `now`. */
  async tick(now = new Date()): Promise<TickResult> {
    await this.syncRegistry(now);
    const { store, registry, workerId } = this.#opts;
    const result: TickResult = { fired: 0, skipped: 0 };
    const jobIds: number[] = [];
    for await (const schedule of dueSchedules(store, now)) {
      const make = fireMaker(schedule.config, registry.registry);
      if (!make) {
        if (!this.#unknown.has(schedule.name)) {
          this.#unknown.add(schedule.name);
          const why = missingTarget(schedule.config, registry.registry) ?? 'its target is not in the registry';
          this.#opts.log.warn(`schedules: ${schedule.name}: ${why} loaded by this worker: left to a worker that has it`, {
            schedule: schedule.name,
            service: schedule.config.service ?? null,
            workflow: schedule.config.workflow ?? null,
          });
        }
        continue;
      }
      this.#unknown.delete(schedule.name);
      const plan = firePlan(schedule, make, now, workerId);
      if (!plan) continue;
      // One schedule the store refuses (a payload it cannot hold) must not hold up the others behind it.
      const outcome = await store.fireSchedule(plan).catch((error: unknown) => {
        this.#opts.log.error('schedules: could not fire', { schedule: schedule.name, error: error instanceof Error ? error.message : String(error) });
        return null;
      });
      if (!outcome?.applied) continue;
      result.fired += outcome.fired.length;
      result.skipped += outcome.skipped;
      for (const f of outcome.fired) if (f.created && f.job_id !== null) jobIds.push(f.job_id);
      if (outcome.stopped) this.#opts.log.warn('schedules: fires skipped: the emergency stop is engaged', { schedule: schedule.name, fires: plan.fires.length });
      const missed = plan.skipped.reduce((n, s) => n + s.count, 0);
      if (missed > 0) this.#opts.log.warn('schedules: missed fires skipped', { schedule: schedule.name, missed, policy: schedule.config.missed });
    }
    if (jobIds.length > 0) this.#opts.emitter.emit('job', { ids: jobIds });
    return result;
  }
}

async function* dueSchedules(store: Store, now: Date): AsyncGenerator<StoredSchedule> {
  let after: DuePosition | undefined;
  for (let page = 0; page < DUE_PAGES; page++) {
    const due = await store.dueSchedules(now, DUE_PAGE, after);
    yield* due;
    const last = due.at(-1);
    if (due.length < DUE_PAGE || !last?.next_fire_at) return;
    after = { next_fire_at: last.next_fire_at, name: last.name };
  }
}
