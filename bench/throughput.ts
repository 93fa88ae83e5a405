import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pkg from '../package.json' with { type: 'json' };
import type { EnqueueItem } from '../shared/contract.ts';
import { currentActor } from '../electron/api/actor.ts';
import type { ApiContext } from '../electron/api/context.ts';
import { toNewJobs } from '../electron/api/toNewJobs.ts';
import { RegistryHolder } from '../electron/config/holder.ts';
import { Engine } from '../electron/engine/engine.ts';
import { createRunners } from '../electron/runners/registry.ts';
import type { Runner } from '../electron/runners/runner.ts';
import { openStore } from '../electron/store/open.ts';
import type { Store } from '../electron/store/store.ts';
import { lineLogger } from '../electron/log/logger.ts';
import { serverCpuClock } from './serverCpu.ts';
import { CONSOLE_WORDS } from '../electron/api/interfaceWords.ts';

/**
 * opsdeck's engine throughput, measured the way the peers are (bench/README.md, Method):
 * enqueue N no-op jobs in bulk, then process them all at concurrency C, and report jobs per second for
 * each phase. Everything on the path is the real thing: the store a host opens, the registry file a host
 * loads, the CLI's mapping from items to jobs, the Engine a worker runs with every built-in runner.
 */

const SERVICE = 'bench_noop';
/** Jobs per store.enqueue call: the peers add theirs 1000 at a time too. */
const ENQUEUE_CHUNK = 1000;

export interface Measurement {
  system: 'opsdeck';
  store: Store['dialect'];
  jobs: number;
  concurrency: number;
  enqueue_per_s: number;
  process_per_s: number;
  enqueue_ms: number;
  /** From engine.start() until every job is recorded completed in the store. */
  process_ms: number;
  /**
   * From engine.start() until the N-th job's runner returned, which is where peers.mjs stops the peers'
   * clock (its handler counts to N); the results of the last jobs may not be in the store yet.
   */
  handled_ms: number;
  handled_per_s: number;
  /** engine.stop() afterwards: not part of process_ms, reported so nothing is hidden. */
  stop_ms: number;
  /** CPU time of this Node process (all its threads) while processing: the database's own is not in it. */
  process_node_cpu_ms: number;
  /**
   * CPU time of the PostgreSQL server while processing, when it runs on this machine (bench/serverCpu.ts);
   * null for SQLite, whose work is inside the Node process, and for a server elsewhere.
   */
  process_server_cpu_ms: number | null;
  opsdeck: string;
  node: string;
}

/** A registry with one noop service that returns at once: the benchmark measures the engine, not a job. */
async function loadBenchRegistry(dir: string): Promise<RegistryHolder> {
  const file = path.join(dir, 'registry.yaml');
  // JSON is YAML; the holder validates it exactly as it validates an operator's registry.
  await writeFile(file, JSON.stringify({ services: [{ name: SERVICE, execution_type: 'noop', runner_config: { sleep_ms: 0 } }] }));
  const holder = new RegistryHolder(process.env);
  const loaded = await holder.loadFile(file);
  if (!loaded.ok) throw new Error(`the bench registry was refused: ${JSON.stringify(loaded.problems)}`);
  return holder;
}

/**
 * What `opsdeck enqueue SERVICE --from FILE` does per batch (the jobs.enqueueMany handler): items become
 * store jobs through toNewJobs, which takes queue, type and attempts from the registry, and go to the
 * store in one enqueue call. The handler's audit row (one per call) is left out: it is not per job.
 */
async function enqueueAll(store: Store, registry: RegistryHolder, n: number): Promise<void> {
  const ctx: ApiContext = { store, registry, engine: null, actor: currentActor(), env: process.env, settings: { localExecution: false }, words: CONSOLE_WORDS };
  for (let i = 0; i < n; i += ENQUEUE_CHUNK) {
    const items: EnqueueItem[] = [];
    for (let j = i; j < Math.min(n, i + ENQUEUE_CHUNK); j++) items.push({ payload: { i: j } });
    const results = await store.enqueue(toNewJobs(ctx, SERVICE, items));
    const created = results.filter((r) => r.created).length;
    if (created !== items.length) throw new Error(`enqueue created ${created} of ${items.length} jobs`);
  }
}

/** Every one of the N jobs must be `completed`, by the store's own counts: a fast run that lost jobs is no result. */
async function verifyAllCompleted(store: Store, n: number): Promise<void> {
  const byStatus = new Map<string, number>();
  for (const row of await store.countsByQueueAndStatus()) byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + row.count);
  const completed = byStatus.get('completed') ?? 0;
  const total = [...byStatus.values()].reduce((a, b) => a + b, 0);
  if (completed !== n || total !== n) {
    throw new Error(`expected ${n} completed jobs, the store has ${JSON.stringify(Object.fromEntries(byStatus))}`);
  }
}

const perSecond = (n: number, ms: number): number => Math.round(n / (ms / 1000));

/** The real runner, telling when its n-th run returned, as peers.mjs's handler counts its calls to N. */
function countingTo(n: number, runner: Runner, onNth: () => void): Runner {
  let returned = 0;
  return {
    kind: runner.kind,
    run: async (request) => {
      const result = await runner.run(request);
      returned++;
      if (returned === n) onNth();
      return result;
    },
    probe: (services, env, checkedIn) => runner.probe(services, env, checkedIn),
  };
}

/**
 * One measurement on an empty store at `location`. `dir` is scratch space for the registry file.
 * Engine log lines go to `log` (stderr in run.ts), so stdout carries only the JSON result.
 */
export async function measure(opts: { location: string; dir: string; jobs: number; concurrency: number; log: (line: string) => void }): Promise<Measurement> {
  const { jobs, concurrency } = opts;
  const registry = await loadBenchRegistry(opts.dir);
  const store = await openStore(opts.location);
  try {
    let t0 = performance.now();
    await enqueueAll(store, registry, jobs);
    const enqueueMs = performance.now() - t0;

    // As createRuntime builds a worker's engine: every built-in runner, the process environment, defaults
    // for lease, poll interval and worker id. The noop runner is counted for handled_ms.
    const runners = createRunners();
    const noop = runners.get('noop');
    if (!noop) throw new Error('no noop runner among the built-in runners');
    let handledAt = Number.NaN;
    runners.set(
      'noop',
      countingTo(jobs, noop, () => {
        handledAt = performance.now();
      }),
    );
    const engine = new Engine({ store, registry, runners, env: process.env, concurrency, log: lineLogger(opts.log, 'info') });
    const serverCpu = serverCpuClock(opts.location);
    // Read before the clock starts: reading the server's CPU walks /proc, a few milliseconds of a short run.
    const serverCpu0 = serverCpu();
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    await engine.start();
    // The engine is already started, so this only waits: until a claim finds nothing runnable and every
    // result is written to the store. Stopping is timed apart from processing.
    await engine.runUntilEmpty();
    const processMs = performance.now() - t0;
    const handledMs = handledAt - t0;
    const cpu = process.cpuUsage(cpu0);
    const serverCpu1 = serverCpu();
    t0 = performance.now();
    await engine.stop({ graceMs: 0 });
    const stopMs = performance.now() - t0;

    await verifyAllCompleted(store, jobs);
    return {
      system: 'opsdeck',
      store: store.dialect,
      jobs,
      concurrency,
      enqueue_per_s: perSecond(jobs, enqueueMs),
      process_per_s: perSecond(jobs, processMs),
      enqueue_ms: Math.round(enqueueMs),
      process_ms: Math.round(processMs),
      handled_ms: Math.round(handledMs),
      handled_per_s: perSecond(jobs, handledMs),
      stop_ms: Math.round(stopMs),
      process_node_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
      process_server_cpu_ms: serverCpu0 === null || serverCpu1 === null ? null : serverCpu1 - serverCpu0,
      opsdeck: pkg.version,
      node: process.versions.node,
    };
  } finally {
    await store.close();
  }
}
