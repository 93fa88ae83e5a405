import type { RegistryProblem } from '../../shared/registry.ts';
import { RegistryHolder } from '../config/holder.ts';
import { Engine } from '../engine/engine.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { LogSecrets } from '../log/secrets.ts';
import { AlertEvaluator } from '../engine/alertEvaluator.ts';
import { overdueSchedules } from '../engine/overdueSchedules.ts';
import { quietLog } from '../engine/quietLog.ts';
import { parseDuration } from '../../shared/duration.ts';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { defaultDbLocation, openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { currentActor } from './actor.ts';
import type { AnsweredBy, ApiContext } from './context.ts';
import { createEventFeed, type EventFeed } from './events.ts';
import { StoreWatch } from './storeWatch.ts';
import type { InterfaceWords } from './interfaceWords.ts';

export interface RuntimeOptions {
  /** Store location; default OPSDECK_DB, else the per-user data directory's opsdeck.db. */
  db?: string;
  /** Registry file; default OPSDECK_REGISTRY; none means an empty registry. */
  registryPath?: string | null;
  /**
   * Attach an Engine that runs jobs in this process; 'by-store' leaves it to the store the runtime opens
   * (runsJobsByDefault), as the desktop does unless told otherwise, and runs none while the registry
   * given did not load.
   */
  execute: boolean | 'by-store';
  concurrency?: number;
  queues?: string[] | null;
  env?: Record<string, string | undefined>;
  /** Where the engine logs (worker, desktop, browser host); default nowhere. */
  log?: Logger;
  /** Told of each engine this runtime makes, before it starts (metrics count its events from the first). */
  onEngine?: (engine: Engine) => void;
  /** The logger's secret values, told the registry's secret variables as it loads and reloads. */
  logSecrets?: LogSecrets;
  /** Which process this is, for the checks that say whose environment and files they read (ApiContext). */
  answeredBy?: AnsweredBy;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** Refuse a SQLite file that does not exist rather than create it (OpenStoreOptions.mustExist). */
  mustExist?: boolean;
  workerId?: string;
  /** The engine's worker name (`opsdeck worker --name`). */
  workerName?: string | null;
  leaseMs?: number;
  pollMs?: number;
  /**
   * Evaluate the fleet's alert rules here when no other process sharing the store does (one at a time,
   * engine/alertEvaluator.ts). Long-lived hosts say yes (desktop, browser host, worker); a CLI command no.
   * OPSDECK_ALERTS_EVERY (`15s` by default) sets how often.
   */
  alerts?: boolean;
  /** How answers word what to do next: the console's controls, the CLI's options, REST's body fields; each host says its own. */
  words: InterfaceWords;
  /**
   * Keep a record of the store's outages (ctx.storeWatch), reading it every STORE_PROBE_MS while nothing
   * else did, and log each as it starts and ends: the console's hosts, which run for weeks with nobody
   * watching their log until something went wrong.
   */
  watchStore?: boolean;
}

/** How often a host that watches its store asks it, while no other read said how it is. */
export const STORE_PROBE_MS = 2000;

export interface Runtime {
  ctx: ApiContext;
  events: EventFeed;
  /** The result of loading the registry file at start, null when none was named. */
  /** `problems` lists the first fifty; `errors` counts every error. */
  registryLoad: { path: string; ok: boolean; problems: RegistryProblem[]; errors: number } | null;
  /** Stops the engine (draining up to graceMs), the event feed, and closes the store. */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/**
 * Whether a host runs jobs on a store it opens without being told either way. On a SQLite file, yes: it is
 * this machine's own queue. On a shared PostgreSQL database, no: a laptop connected to the fleet's store
 * observes and controls, and runs jobs there only once the operator turns local execution on.
 */
export function runsJobsByDefault(dialect: Store['dialect']): boolean {
  return dialect === 'sqlite';
}

/**
 * The composition root every host calls: opens the store, loads the registry, attaches an engine when
 * this process runs jobs, and provides the host settings (switch store, toggle local execution).
 * Throws StoreError when the store cannot be opened; a registry that does not validate does not throw
 * (the holder stays empty and registryLoad says why), so a console can still open and show the problems.
 */
export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const env = opts.env ?? process.env;
  const location = opts.db ?? defaultDbLocation(env);
  const registry = new RegistryHolder(env);
  opts.logSecrets?.follow(registry);
  // Whatever the host gave it (--db, the desktop's remembered store): the password of the store in use.
  opts.logSecrets?.addUrl(location);
  const registryPath = opts.registryPath === undefined ? env.OPSDECK_REGISTRY || null : opts.registryPath;
  let registryLoad: Runtime['registryLoad'] = null;
  if (registryPath) {
    const result = await registry.loadFile(registryPath);
    registryLoad = { path: registryPath, ...result };
  }
  const store = await openStore(location, { migrate: opts.migrate ?? true, mustExist: opts.mustExist ?? false, env });

  const makeEngine = async (s: Store) => {
    // Loaded only when this process runs jobs: the runner clients are slow to import for a CLI command.
    const { createRunners } = await import('../runners/registry.ts');
    ctx.runners ??= createRunners();
    const engine = new Engine({
      store: s,
      registry,
      runners: ctx.runners,
      env,
      concurrency: opts.concurrency,
      queues: opts.queues ?? null,
      log: opts.log,
      workerId: opts.workerId,
      workerName: opts.workerName ?? null,
      leaseMs: opts.leaseMs,
      pollMs: opts.pollMs,
    });
    opts.onEngine?.(engine);
    return engine;
  };

  const ctx: ApiContext = {
    store,
    registry,
    engine: null,
    actor: currentActor(),
    env,
    words: opts.words,
    answeredBy: opts.answeredBy,
    settings: {
      localExecution: false,
      async setLocalExecution(enabled) {
        if (enabled && !ctx.engine) {
          const engine = await makeEngine(ctx.store);
          await engine.start();
          ctx.engine = engine;
        } else if (!enabled && ctx.engine) {
          const engine = ctx.engine;
          ctx.engine = null;
          await engine.stop();
        }
        ctx.settings.localExecution = enabled;
        events.rebind();
      },
      async switchStore(url) {
        // Before anything is logged about it: the new URL's password is as secret as the first store's.
        opts.logSecrets?.addUrl(url);
        // Open first: a URL that does not work leaves everything as it was.
        const next = await openStore(url, { migrate: opts.migrate ?? true, env });
        const running = ctx.engine;
        if (running) {
          ctx.engine = null;
          await running.stop();
        }
        const previous = ctx.store;
        ctx.store = next;
        await previous.close().catch(() => undefined);
        // Local execution carries over only to a store this host would run jobs on unasked.
        if (running && runsJobsByDefault(next.dialect)) {
          const engine = await makeEngine(next);
          await engine.start();
          ctx.engine = engine;
        }
        ctx.settings.localExecution = ctx.engine !== null;
        if (opts.watchStore) watchStore();
        events.rebind();
      },
    },
  };

  // A store switched to starts with no outage of its own: the last one was the store it replaced.
  let stopWatching: () => void = () => undefined;
  function watchStore(): void {
    stopWatching();
    const watch = new StoreWatch({ log: opts.log });
    ctx.storeWatch = watch;
    stopWatching = watch.watch(() => ctx.store.getControl(), STORE_PROBE_MS);
  }
  if (opts.watchStore) watchStore();
  const events = createEventFeed(ctx);
  const evaluator = opts.alerts
    ? new AlertEvaluator({
        // Read per evaluation: the host may switch stores.
        get store() {
          return ctx.store;
        },
        registry,
        owner: opts.workerId ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
        env,
        // An evaluation failing every interval while the store is away is said once a minute, with a count.
        log: opts.log ? quietLog(opts.log) : silentLogger,
        intervalMs: Math.max(1, parseDuration(env.OPSDECK_ALERTS_EVERY ?? '') ?? 15) * 1000,
        missedSchedules: (now) => overdueSchedules(ctx.store, now),
      })
    : null;
  // Unasked, a host runs no job under a registry that did not load: each would go back unrun.
  const refused = registryLoad !== null && !registryLoad.ok;
  if (opts.execute === 'by-store' ? runsJobsByDefault(store.dialect) && !refused : opts.execute) {
    try {
      await ctx.settings.setLocalExecution?.(true);
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }
  // After this process's own engine has registered: evaluated before, "no live worker" would fire at
  // every worker's start for the jobs that worker is about to run.
  evaluator?.start();

  let closing: Promise<void> | null = null;
  return {
    ctx,
    events,
    registryLoad,
    close(closeOpts = {}) {
      closing ??= (async () => {
        stopWatching();
        events.close();
        await evaluator?.stop();
        const engine = ctx.engine;
        ctx.engine = null;
        if (engine) await engine.stop({ graceMs: closeOpts.graceMs });
        await ctx.store.close();
      })();
      return closing;
    },
  };
}
