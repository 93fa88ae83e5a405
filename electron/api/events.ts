import type { EventName, EventPayload } from '../../shared/contract.ts';
import type { BreakerRecord } from '../../shared/domain.ts';
import { forcedBy } from '../../shared/breakerRecord.ts';
import type { Engine } from '../engine/engine.ts';
import type { Store, StoreSignal } from '../store/store.ts';
import type { ApiContext } from './context.ts';
import { computeStats } from './handlers/overview.ts';
import { createAlertWatch } from './alertFeed.ts';
import { storeOutage } from './errors.ts';

export type FeedListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface EventFeed {
  on(listener: FeedListener): () => void;
  /** Follow ctx.store and ctx.engine now, after the host replaced them (else at the next tick). */
  rebind(): void;
  close(): void;
}

const TICK_MS = 2000;
const JOBS_COALESCE_MS = 250;
const MAX_IDS = 500;

/**
 * The contract's pushed events, from the engine of this process and from store signals (which on
 * PostgreSQL include other processes). stats.tick is computed once per tick and shared by every listener,
 * and only while someone listens. The feed follows ctx.store and ctx.engine when the host swaps them.
 */
export function createEventFeed(ctx: ApiContext): EventFeed {
  const listeners = new Set<FeedListener>();
  let closed = false;
  let boundStore: Store | null = null;
  let boundEngine: Engine | null = null;
  let unbindStore: (() => void) | null = null;
  let unbindEngine: Array<() => void> = [];
  let tick: NodeJS.Timeout | null = null;
  let ticking = false;
  let storeOk = true;
  let controlVersion = -1;
  let breakers: Map<string, BreakerRecord> | null = null;
  let jobsTimer: NodeJS.Timeout | null = null;
  let changedIds = new Set<number>();
  let anyJobs = false;
  const alertWatch = createAlertWatch();

  const emit: FeedListener = (event, payload) => {
    for (const listener of listeners) {
      try {
        listener(event, payload);
      } catch {
        // One host connection's failure must not stop the others.
      }
    }
  };

  /**
   * Changes within a short window go out as one event each kind: the ids this process's engine touched,
   * and a bare "something changed" for store signals (which may come from other processes).
   */
  const jobsChanged = (ids?: number[]) => {
    if (!ids || ids.length === 0) {
      anyJobs = true;
    } else {
      for (const id of ids) changedIds.add(id);
    }
    if (jobsTimer) return;
    jobsTimer = setTimeout(() => {
      jobsTimer = null;
      const batch = [...changedIds];
      changedIds = new Set();
      if (batch.length > 0) emit('jobs.changed', batch.length > MAX_IDS ? {} : { ids: batch });
      if (anyJobs && batch.length <= MAX_IDS) emit('jobs.changed', {});
      anyJobs = false;
    }, JOBS_COALESCE_MS);
    jobsTimer.unref();
  };

  const controlChanged = (state: EventPayload<'control.changed'>) => {
    if (state.version === controlVersion) return;
    controlVersion = state.version;
    emit('control.changed', state);
  };

  const storeFailed = (error: unknown) => {
    ctx.storeWatch?.failed(error);
    if (!storeOk) return;
    storeOk = false;
    emit('store.status', { ok: false, ...storeOutage(error) });
  };

  const storeAnswered = () => {
    ctx.storeWatch?.answered();
    if (storeOk) return;
    storeOk = true;
    emit('store.status', { ok: true, message: 'the store answers again' });
  };

  /** Store signals name no breaker: compare with what was last seen and report each one that moved. */
  const diffBreakers = async (store: Store) => {
    const now = new Map((await store.listBreakers()).map((b) => [b.service_name, b]));
    const before = breakers;
    breakers = now;
    if (!before) return;
    for (const [service, b] of now) {
      const old = before.get(service);
      if (old && old.state === b.state && old.mode === b.mode) continue;
      emit('breaker.changed', { service, state: b.state, mode: b.mode, reason: forcedBy(b)?.reason ?? b.last_error ?? `now ${b.state}` });
    }
  };

  const onSignal = (store: Store, signal: StoreSignal) => {
    switch (signal) {
      case 'jobs':
        jobsChanged();
        break;
      case 'workers':
        emit('workers.changed', {});
        break;
      case 'control':
        store.getControl().then(controlChanged, storeFailed);
        break;
      case 'breakers':
        diffBreakers(store).catch(storeFailed);
        break;
    }
  };

  const bind = () => {
    if (ctx.store !== boundStore) {
      unbindStore?.();
      const store = ctx.store;
      boundStore = store;
      breakers = null;
      unbindStore = store.subscribe((signal) => onSignal(store, signal));
      diffBreakers(store).catch(storeFailed);
    }
    if (ctx.engine !== boundEngine) {
      for (const off of unbindEngine) off();
      boundEngine = ctx.engine;
      const engine = ctx.engine;
      unbindEngine = engine
        ? [
            engine.on('job', (p) => jobsChanged(p.ids)),
            engine.on('breaker', (p) => emit('breaker.changed', p)),
            engine.on('control', controlChanged),
            engine.on('worker', () => emit('workers.changed', {})),
          ]
        : [];
    }
  };

  const unbind = () => {
    unbindStore?.();
    unbindStore = null;
    boundStore = null;
    for (const off of unbindEngine) off();
    unbindEngine = [];
    boundEngine = null;
  };

  const onTick = async () => {
    if (ticking || listeners.size === 0) return;
    ticking = true;
    try {
      bind();
      const stats = await computeStats(ctx.store);
      storeAnswered();
      controlChanged(stats.control);
      emit('stats.tick', stats);
      for (const change of await alertWatch(ctx.store, ctx.registry.registry, ctx.words)) emit('alert.changed', change);
    } catch (error) {
      storeFailed(error);
    } finally {
      ticking = false;
    }
  };

  const start = () => {
    bind();
    tick = setInterval(() => void onTick(), TICK_MS);
    tick.unref();
    void onTick();
  };

  const stop = () => {
    if (tick) clearInterval(tick);
    tick = null;
    if (jobsTimer) clearTimeout(jobsTimer);
    jobsTimer = null;
    unbind();
  };

  return {
    on(listener) {
      if (closed) return () => undefined;
      listeners.add(listener);
      if (listeners.size === 1) start();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stop();
      };
    },
    rebind() {
      if (listeners.size > 0) bind();
    },
    close() {
      closed = true;
      listeners.clear();
      stop();
    },
  };
}
